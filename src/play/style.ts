/* The page's style sheet, put in a <style> by main.ts (the page loads nothing else). */
export const STYLE = `
* { box-sizing: border-box; }
body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: #1d2330; background: #f5f6f8; }
header { display: flex; gap: 12px; align-items: center; padding: 6px 12px; background: #1d2330; color: #fff; }
header h1 { font-size: 15px; margin: 0; font-weight: 600; }
header .file { opacity: .75; font-family: ui-monospace, monospace; }
header input { margin-left: auto; width: 260px; padding: 3px 6px; }
#status { font-size: 12px; opacity: .8; min-width: 160px; text-align: right; }
.banner { background: #fde7e7; color: #8a1c1c; padding: 6px 12px; border-bottom: 1px solid #e5b5b5; white-space: pre-wrap; }
main { display: grid; grid-template-columns: minmax(260px, 24%) 1fr minmax(300px, 26%); height: calc(100vh - 36px); }
main > * { overflow: auto; padding: 8px 10px; }
.left, .right { background: #fff; }
.left { border-right: 1px solid #dde; }
.right { border-left: 1px solid #dde; }
.center { padding: 0; position: relative; display: flex; flex-direction: column; }
section { margin-bottom: 14px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: #556; margin: 4px 0 6px; }
textarea { width: 100%; font: 12px/1.45 ui-monospace, monospace; }
#editor { min-height: 60vh; white-space: pre; }
label { display: block; margin: 3px 0; }
label input, label select { width: 70%; float: right; }
label::after { content: ''; display: block; clear: both; }
.buttons { display: flex; gap: 6px; margin-top: 4px; }
.result { margin-top: 6px; }
pre { white-space: pre-wrap; word-break: break-word; background: #f3f4f7; padding: 6px; margin: 4px 0; font-size: 12px; }
.verdict { font-weight: 700; font-size: 15px; margin: 4px 0; }
.allow { color: #137333; } .deny { color: #b3261e; }
.error { color: #b3261e; } .ok { color: #137333; }
ul { padding-left: 18px; margin: 4px 0; }
li.problem { cursor: pointer; margin-bottom: 3px; }
li.fail { color: #b3261e; } li.pass { color: #137333; }
.summary { padding: 8px 12px; background: #fff8e1; border-bottom: 1px solid #eedb9c; }
.graph-wrap { position: relative; flex: 1; min-height: 0; }
svg.graph { width: 100%; height: 100%; display: block; background: #fbfbfd; cursor: grab; user-select: none; }
.graph-tools { position: absolute; top: 6px; right: 6px; display: flex; gap: 4px; }
.legend { position: absolute; left: 8px; bottom: 6px; font-size: 11px; color: #556; background: #fffc; padding: 2px 6px; }
.legend span { display: inline-block; width: 10px; height: 10px; margin: 0 3px 0 8px; border: 1px solid #889; vertical-align: -1px; }
.node { cursor: pointer; }
.node rect { stroke: #667; stroke-width: 1; }
.node text { font-size: 12px; fill: #1d2330; pointer-events: none; }
.node-tenant rect { fill: #e3e0f7; } .legend .tenant { background: #e3e0f7; }
.node-role rect { fill: #dcecff; } .legend .role { background: #dcecff; }
.node-group rect { fill: #dff3e3; } .legend .group { background: #dff3e3; }
.node-user rect { fill: #fff1d6; } .legend .user { background: #fff1d6; }
#search.miss { outline: 2px solid #d93025; }
.edge { fill: none; stroke: #a9afbd; stroke-width: 1.2; }
.edge-member-role, .edge-member-subtree { stroke-dasharray: 5 3; }
.edge-has-role { stroke: #c8ccd6; }
svg.dimmed .node:not(.hl) { opacity: .4; }
svg.dimmed .edge:not(.hl) { opacity: .25; }
.graph-note { position: absolute; top: 40%; width: 100%; text-align: center; color: #778; }
.node.hl rect { stroke: #d93025; stroke-width: 2.5; }
.edge.hl { stroke: #d93025; stroke-width: 2.5; opacity: 1; }
.node.selected rect { stroke: #1a56db; stroke-width: 3; }
`;
