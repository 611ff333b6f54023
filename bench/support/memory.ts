/** Peak resident set size while some work runs, sampled (the kernel's maxRSS never goes down). */
export async function withPeakRss<T>(work: () => Promise<T>, everyMs = 25): Promise<{ result: T; peakRss: number; rssBefore: number }> {
  const rssBefore = process.memoryUsage.rss();
  let peakRss = rssBefore;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, everyMs);
  try {
    const result = await work();
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    return { result, peakRss, rssBefore };
  } finally {
    clearInterval(timer);
  }
}

export const MB = 1024 * 1024;
