/**
 * What `purview play` serves as `/policy.json`: the file it was started on, as the page reads it.
 * The page (src/play) imports this type only.
 */
export interface PlayPayload {
  /** The file's path as given on the command line (or its name in a static build). */
  readonly file: string;
  /**
   * `policy`: a bare policy file, `text` is the file. `test`: a test file, `text` is its policy
   * (as YAML) and `document` the whole file, references resolved. `broken`: the file did not load,
   * `error` says why and `text` is the file as read (empty when unreadable).
   */
  readonly kind: 'policy' | 'test' | 'broken';
  /** The editor's starting text. */
  readonly text: string;
  /** `yaml` or `json`: how `text` is written. */
  readonly format: 'yaml' | 'json';
  /** The whole test file (kind `test`), as parsed data. */
  readonly document?: unknown;
  /** Why the file did not load (kind `broken`). */
  readonly error?: string;
}
