import fs from 'node:fs';
import path from 'node:path';
import { setupPaneMarkdownTable } from '../../../src/profiles/setup-pane';

describe('README', () => {
  it('shows the SetupPane -> skip_setup_items table exactly as the code maps it', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../../README.md'), 'utf8');
    const match = /<!-- setup-panes:start[^>]*-->\n([\s\S]*?)<!-- setup-panes:end -->/.exec(readme);
    expect(match).not.toBeNull();
    expect(match![1]).toBe(setupPaneMarkdownTable()); // regenerate the block with setupPaneMarkdownTable()
  });
});
