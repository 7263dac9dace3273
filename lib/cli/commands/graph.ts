// netns-native graph: the picture. topology() maps every namespace, its
// interfaces and addresses and the veth pairs between them; containers are
// named when an engine answers; the renderers draw it as a text tree, DOT
// (`| dot -Tsvg`), SVG (drawn in-process by Graphviz as WebAssembly), Mermaid
// (a ```mermaid block GitHub draws) or the JSON model.
import { renderDot, renderJson, renderMermaid, renderSvg, renderText, topology } from '../../index';
import { HELP_OPTION, JSON_OPTION, UsageError, choiceOption, flag } from '../args';
import type { Command } from '../command';
import { EXIT_OK } from '../exit-status';
import { assertSelectedIdsExist, withGraphSelection } from '../graph-selection';
import { serveGraph } from './graph-serve';

const FORMATS = ['text', 'dot', 'svg', 'mermaid', 'json'] as const;
const DIRECTIONS = ['TB', 'LR'] as const;

export const graphCommand: Command = {
  name: 'graph',
  synopsis: '[-f FORMAT] [NS...] | --serve [--listen HOST:PORT]',
  summary: 'a picture: text, dot, svg, mermaid or json',
  help: `Usage: netns-native graph [--format text|dot|svg|mermaid|json] [options] [NS...]
       netns-native graph --serve [--listen HOST:PORT] [options]

Maps every network namespace on the host (or only those given), each one's
interfaces and addresses, and the veth pairs between them, confirmed from both
ends; bridge ports point at their bridge. Namespaces are labelled with their
names, container (when a Docker or Podman engine answers), pids and command.

NS is a name in /run/netns, an absolute path to an nsfs file, or an id as
net:[4026532301]; --pid PID and --container C (repeatable) add a process's or
a Docker or Podman container's namespace. One that does not exist is an
error. Peers of the chosen namespaces' veths are still found anywhere.

Options:
  -f, --format F      text: a tree (the default); dot: Graphviz (| dot -Tsvg);
                      svg: that picture drawn here, no graphviz needed
                      (> graph.svg; needs the optional npm package
                      @viz-js/viz, installed with netns-native by default);
                      mermaid: a flowchart for a \`\`\`mermaid block;
                      json: the topology model, {"format":1,...}
  -J, --json          the same as --format json
  --direction TB|LR   dot, svg and mermaid: top to bottom (the default) or
                      left to right
  --ascii             draw the text tree with ASCII only
  --veths             only veth interfaces
  --no-fd-holders     skip namespaces held only by an fd (faster)
  --no-containers     do not ask a container engine for names
  --pid PID           a process's namespace (repeatable)
  --container C       a container's namespace, by id or name (repeatable;
                      the engine socket: DOCKER_HOST=unix://..., else the
                      default ones)
  --serve             serve a live picture of the whole host in a browser page
                      (kept current from the kernel's events) until
                      interrupted; prints its URL. Read only.
  --listen HOST:PORT  where --serve listens (default 127.0.0.1:8181, this
                      host only; [::1]:PORT for IPv6, PORT alone for
                      127.0.0.1). Another address exposes the page: anyone
                      who can reach that port sees the host's whole
                      network (every namespace, interface, address,
                      process id and container name), without a password.
  -h, --help          this help`,
  options: {
    ...HELP_OPTION,
    ...JSON_OPTION,
    format: { type: 'string', short: 'f' },
    direction: { type: 'string' },
    ascii: { type: 'boolean' },
    veths: { type: 'boolean' },
    'no-fd-holders': { type: 'boolean' },
    'no-containers': { type: 'boolean' },
    pid: { type: 'string', multiple: true },
    container: { type: 'string', multiple: true },
    serve: { type: 'boolean' },
    listen: { type: 'string' },
  },
  async run({ values, positionals }, { out, json }) {
    const options = {
      onlyVeths: flag(values, 'veths'),
      fdHolders: !flag(values, 'no-fd-holders'),
      // An engine that answers wrongly costs a warning, not the picture.
      containers: !flag(values, 'no-containers'),
    };
    if (flag(values, 'serve')) return serveGraph(values, positionals, options, out);
    if (values.listen !== undefined) throw new UsageError('--listen goes with --serve');
    const format = json || flag(values, 'json') ? 'json' : choiceOption(values, 'format', FORMATS, 'text');
    const direction = choiceOption(values, 'direction', DIRECTIONS, 'TB');
    const map = await withGraphSelection(values, positionals, (namespaces) => topology({ namespaces, ...options }));
    assertSelectedIdsExist(map, positionals);
    switch (format) {
      case 'text':
        out.print(renderText(map, { color: out.color, ascii: flag(values, 'ascii') }));
        break;
      case 'dot':
        out.print(renderDot(map, { direction }));
        break;
      case 'svg':
        out.print(await renderSvg(map, { direction }));
        break;
      case 'mermaid':
        out.print(renderMermaid(map, { direction }));
        break;
      case 'json':
        out.print(renderJson(map));
        break;
    }
    return EXIT_OK;
  },
};
