// The live page: a fixed HTML shell with its stylesheet and script served
// as files of their own (so the Content-Security-Policy can forbid every
// inline script and style, and anything not from this server). Nothing from
// the host is ever in the HTML: the script fetches the model and the SVG and
// builds the side list with textContent only, so a hostile interface or
// container name is text wherever it lands.

/** Sent with every response: only this server's own files, no frames, no forms, no plugins. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>netns-native: network namespaces, live</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<header>
<h1>Network namespaces</h1>
<p id="status" role="status">connecting…</p>
</header>
<main>
<section id="picture" aria-label="picture"></section>
<aside id="side" aria-label="namespaces and links"></aside>
</main>
</body>
</html>
`;

export const PAGE_CSS = `body { margin: 0; font: 14px/1.4 system-ui, sans-serif; color: #222; background: #fafafa; }
header { display: flex; align-items: baseline; gap: 1em; padding: 0.5em 1em; border-bottom: 1px solid #ddd; }
h1 { font-size: 1.2em; margin: 0; }
#status { margin: 0; color: #666; }
#status.lost { color: #b00; }
main { display: flex; align-items: flex-start; gap: 1em; padding: 1em; }
#picture { flex: 1 1 auto; overflow: auto; background: #fff; border: 1px solid #ddd; min-height: 200px; }
#picture svg { max-width: 100%; height: auto; }
#side { flex: 0 0 26em; max-height: calc(100vh - 6em); overflow: auto; }
#side h2 { font-size: 1em; margin: 1em 0 0.3em; }
#side h3 { font-size: 0.95em; margin: 0.2em 0; word-break: break-all; }
.ns { background: #fff; border: 1px solid #ddd; padding: 0.4em 0.6em; margin-bottom: 0.5em; }
.ns .meta { color: #666; font-size: 0.9em; word-break: break-all; }
.links { list-style: none; padding: 0; margin: 0.3em 0 0; }
.links li { word-break: break-all; }
.state { display: inline-block; min-width: 3.5em; font-size: 0.85em; font-weight: bold; }
.state.up { color: #197a19; }
.state.down { color: #b00; }
.state.other { color: #a60; }
.addr, .master { color: #555; font-size: 0.9em; }
.pairs li, .unresolved li { word-break: break-all; }
`;

// Plain browser JavaScript (no build step, no library). Written without
// template literals so it can sit in this one.
export const PAGE_SCRIPT = `'use strict';
(function () {
  var picture = document.getElementById('picture');
  var side = document.getElementById('side');
  var status = document.getElementById('status');
  var shown = 0;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function nsLabel(ns) {
    if (ns.names.length > 0) return ns.names.join(', ');
    if (ns.container) return ns.container.name;
    return ns.id;
  }

  function linkItem(link, addresses) {
    var li = el('li', 'link');
    li.dataset.ifname = link.name;
    // operstate as the kernel names it (UP, DOWN, LOWERLAYERDOWN, UNKNOWN for lo...).
    var operstate = String(link.operstate).toLowerCase();
    var state = !link.up ? 'down' : operstate === 'up' || operstate === 'unknown' ? 'up' : 'other';
    li.dataset.state = state;
    li.appendChild(el('span', 'state ' + state, link.up ? operstate : 'down'));
    li.appendChild(document.createTextNode(' ' + link.name + ' (' + link.kind + ')'));
    if (link.master !== undefined) li.appendChild(el('span', 'master', ' master ' + link.master));
    var own = addresses.filter(function (a) { return a.ifindex === link.ifindex; });
    if (own.length > 0) {
      li.appendChild(el('span', 'addr', ' ' + own.map(function (a) { return a.address + '/' + a.prefixLength; }).join(' ')));
    }
    return li;
  }

  function endText(end, byId) {
    var ns = byId[end.ns];
    return end.name + ' @ ' + (ns ? nsLabel(ns) : end.ns);
  }

  function renderSide(model) {
    var byId = {};
    model.namespaces.forEach(function (ns) { byId[ns.id] = ns; });
    var parts = [el('h2', '', model.namespaces.length + ' namespaces')];
    model.namespaces.forEach(function (ns) {
      var box = el('div', 'ns');
      box.dataset.ns = ns.id;
      box.appendChild(el('h3', '', nsLabel(ns) + (ns.current ? ' (this server)' : '')));
      var meta = [ns.id];
      if (ns.container) meta.push('container ' + ns.container.name);
      if (ns.pids.length > 0) meta.push('pids ' + ns.pids.slice(0, 8).join(' ') + (ns.pids.length > 8 ? ' …' : ''));
      if (ns.command) meta.push(ns.command);
      if (ns.error) meta.push('unreadable: ' + ns.error.code);
      box.appendChild(el('div', 'meta', meta.join(' · ')));
      var list = el('ul', 'links');
      ns.links.forEach(function (link) { list.appendChild(linkItem(link, ns.addresses)); });
      box.appendChild(list);
      parts.push(box);
    });
    parts.push(el('h2', '', model.vethPairs.length + ' veth pairs'));
    var pairs = el('ul', 'pairs');
    model.vethPairs.forEach(function (pair) {
      pairs.appendChild(el('li', '', endText(pair.a, byId) + ' ↔ ' + endText(pair.b, byId)));
    });
    parts.push(pairs);
    if (model.unresolved.length > 0) {
      parts.push(el('h2', '', model.unresolved.length + ' unresolved peers'));
      var unresolved = el('ul', 'unresolved');
      model.unresolved.forEach(function (peer) {
        unresolved.appendChild(el('li', '', endText(peer.end, byId) + ': ' + peer.reason));
      });
      parts.push(unresolved);
    }
    side.replaceChildren.apply(side, parts);
  }

  // The server's SVG, parsed as XML (never as HTML) and imported: text in it stays text.
  function showSvg(generation) {
    return fetch('/graph.svg?generation=' + generation, { cache: 'no-store' })
      .then(function (response) {
        if (!response.ok) throw new Error('graph.svg: ' + response.status);
        return response.text();
      })
      .then(function (text) {
        if (generation < shown) return;
        var doc = new DOMParser().parseFromString(text, 'image/svg+xml');
        var root = doc.documentElement;
        if (root.namespaceURI !== 'http://www.w3.org/2000/svg') throw new Error('graph.svg is not SVG');
        picture.replaceChildren(document.importNode(root, true));
      });
  }

  function show(data) {
    if (data.generation < shown) return;
    shown = data.generation;
    renderSide(data.topology);
    showSvg(data.generation)
      .then(function () {
        if (data.generation !== shown) return;
        document.body.dataset.generation = String(data.generation);
        status.className = '';
        status.textContent = 'live · generation ' + data.generation + ' · ' + new Date().toLocaleTimeString();
      })
      .catch(function (error) {
        document.body.dataset.generation = String(data.generation);
        status.textContent = 'picture unavailable: ' + error.message;
      });
  }

  function reload() {
    fetch('/topology.json', { cache: 'no-store' })
      .then(function (response) { return response.json(); })
      .then(function (model) {
        var generation = model.generation;
        delete model.generation;
        shown = 0;
        show({ generation: generation, topology: model });
      });
  }

  var events = new EventSource('/events');
  events.addEventListener('model', function (event) { show(JSON.parse(event.data)); });
  events.addEventListener('resync', function () { reload(); });
  events.addEventListener('error', function () {
    status.className = 'lost';
    status.textContent = 'connection lost; retrying…';
  });
})();
`;
