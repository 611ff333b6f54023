/** The explorer's HTML: an API key field above GraphiQL; script and styles from this server only. */
export function explorerPage(assetsPath: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>depgate API explorer</title>
<link rel="stylesheet" href="${assetsPath}/graphiql.css">
<style>
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
  #key-bar { display: flex; gap: .5rem; align-items: center; padding: .4rem .8rem; border-bottom: 1px solid #ddd; }
  #api-key { flex: 1; max-width: 40rem; font-family: monospace; }
  #graphiql { flex: 1; min-height: 0; }
</style>
</head>
<body>
<form id="key-bar" autocomplete="off" onsubmit="return false">
  <label for="api-key">API key</label>
  <input id="api-key" name="api-key" type="password" placeholder="dg_... (sent as Authorization: Bearer on HTTP and in connection_init on the WebSocket)">
</form>
<div id="graphiql">Loading the explorer…</div>
<script src="${assetsPath}/graphiql.js"></script>
</body>
</html>
`;
}
