// A TypeDoc plugin for the docs site (typedoc.json `plugin`), two fixes to what TypeDoc does by
// default:
//
// - Modules are named as users import them. TypeDoc names an entry point after its path
//   (`adapters/postgres`, `web/express`); the option `moduleNames` maps each entry point of
//   typedoc.json to its import specifier (`purview/postgres`). An entry point without a name, or a
//   name for a file that is not an entry point, is an error, so a new subpath cannot slip in
//   under its file name.
// - Headings keep their code. TypeDoc takes a heading's anchor and its "On this page" entry from
//   the heading's text tokens only, so "## `toSql` and filters" became "and filters" (anchor
//   `#and-filters`). Inline code in headings is rewritten into <code> + text + </code> tokens,
//   which render the same and whose text TypeDoc sees: the anchor is the one GitHub computes.
import { resolve } from 'node:path';
import { Application, Converter, ParameterType, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.options.addDeclaration({
    name: 'moduleNames',
    help: 'purview: the import specifier of each entry point ({ "src/index.ts": "purview", ... }).',
    type: ParameterType.Mixed,
    defaultValue: {},
  });

  app.on(Application.EVENT_BOOTSTRAP_END, () => {
    const previous = app.options.getValue('markdownItLoader');
    app.options.setValue('markdownItLoader', (parser) => {
      previous(parser);
      parser.core.ruler.push('purview_heading_code', (state) => {
        const tokens = state.tokens;
        for (let i = 0; i + 1 < tokens.length; i++) {
          if (tokens[i].type !== 'heading_open') continue;
          const inline = tokens[i + 1];
          if (inline.type !== 'inline' || !inline.children) continue;
          inline.children = inline.children.flatMap((child) => {
            if (child.type !== 'code_inline') return [child];
            const open = new state.Token('html_inline', '', 0);
            open.content = '<code>';
            const text = new state.Token('text', '', 0);
            text.content = child.content;
            const close = new state.Token('html_inline', '', 0);
            close.content = '</code>';
            return [open, text, close];
          });
        }
      });
    });
  });

  const named = new Set();
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module)) return;
    const names = app.options.getValue('moduleNames');
    const symbol = context.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    if (file === undefined) return;
    const entry = Object.keys(names).find((path) => resolve(path) === resolve(file));
    if (entry === undefined) {
      app.logger.error(`moduleNames in typedoc.json has no import name for the entry point ${file}`);
      return;
    }
    reflection.name = names[entry];
    named.add(entry);
  });
  app.converter.on(Converter.EVENT_END, () => {
    for (const entry of Object.keys(app.options.getValue('moduleNames'))) {
      if (!named.has(entry)) app.logger.error(`moduleNames in typedoc.json names ${entry}, which is not an entry point`);
    }
  });
}
