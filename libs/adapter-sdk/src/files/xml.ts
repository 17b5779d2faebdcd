import { isValidUpn } from '@mash/matching';
import { SaxesParser } from 'saxes';

/**
 * Stable codes of a refused file (the import's error catalogue). A refused file names the line and
 * the element, never a value from it: a file holds personal data, an error message must not.
 */
export const FILE_IMPORT_ERRORS = {
  'FILE.XML_MALFORMED': 'the file is not well-formed XML',
  'FILE.WRONG_KIND': 'the root element is not the one this kind of file has',
  'FILE.ELEMENT_MISSING': 'a required element is missing or empty',
  'FILE.VALUE_INVALID': 'an element holds a value outside its published format',
  'FILE.UPN_CHECK_LETTER': "a UPN's check letter does not match its digits",
} as const;
export type FileImportErrorCode = keyof typeof FILE_IMPORT_ERRORS;

export class FileImportError extends Error {
  constructor(
    readonly code: FileImportErrorCode,
    readonly line: number,
    /** The element's path from the root, with the record's position: `CTfile/CTFpupilData/Pupil[2]/UPN`. */
    readonly element: string,
    readonly detail: string,
  ) {
    super(`line ${line}, element ${element}: ${detail} [${code}]`);
    this.name = 'FileImportError';
  }
}

/** One element with where it starts in the file. */
export interface XmlElement {
  name: string;
  path: string;
  line: number;
  text: string;
  children: XmlElement[];
}

export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The trimmed text of a child element; undefined when absent or empty. */
export function text(el: XmlElement | undefined, name: string): string | undefined {
  const c = el && child(el, name);
  const t = c?.text.trim();
  return t ? t : undefined;
}

/** The text of a required child; a missing or empty one refuses the file at the parent's line. */
export function required(el: XmlElement, name: string): { value: string; at: XmlElement } {
  const c = child(el, name);
  const t = c?.text.trim();
  if (!c || !t)
    throw new FileImportError(
      'FILE.ELEMENT_MISSING',
      c?.line ?? el.line,
      `${el.path}/${name}`,
      `<${el.name}> has no ${c ? 'value in ' : ''}<${name}>, which is required`,
    );
  return { value: t, at: c };
}

export function invalid(
  at: XmlElement,
  detail: string,
  code: FileImportErrorCode = 'FILE.VALUE_INVALID',
): never {
  throw new FileImportError(code, at.line, at.path, detail);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date in the files' `xs:date` form (YYYY-MM-DD) that exists on the calendar. */
export function isoDate(el: XmlElement, name: string, optional = false): string | undefined {
  const c = child(el, name);
  const t = c?.text.trim();
  if (!c || !t) return optional ? undefined : required(el, name).value;
  const m = ISO_DATE.exec(t);
  const d = m && new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  if (!m || !d || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3])
    invalid(c, `<${name}> is not a date in the form YYYY-MM-DD`);
  return t;
}

/**
 * A Unique Pupil Number (both files carry them): its shape, then its check letter, each refused
 * with the element's line. Absent is undefined when `optional`, else refused as required.
 */
export function upn(el: XmlElement, name: string, optional = false): string | undefined {
  const value = optional ? text(el, name) : required(el, name).value;
  if (value === undefined) return undefined;
  const at = child(el, name)!;
  if (!/^[A-Z]\d{11}[0-9A-Z]$/.test(value))
    invalid(at, `<${name}> is not a UPN (a letter, 11 digits and a digit or letter)`);
  if (!isValidUpn(value))
    invalid(
      at,
      `<${name}> has a check letter that does not match its digits`,
      'FILE.UPN_CHECK_LETTER',
    );
  return value;
}

export interface StreamHandlers {
  /** The root element's name this kind of file must have. */
  root: string;
  /** Paths (from the root) of the elements handed over whole and then dropped, one record each. */
  records: string[];
  onRecord(el: XmlElement): void;
  /** Called as each child of the root (a header, say) closes; records excepted. */
  onSection?(el: XmlElement): void;
}

/**
 * A streaming reader over `saxes` (well-formedness with line and column): builds each record
 * element (a pupil, a child) as a small tree, hands it over and forgets it, so a large file is
 * never held whole. Everything outside the records (the header) stays in the returned root.
 */
export class XmlRecordReader {
  private readonly parser = new SaxesParser({ position: true });
  private readonly stack: XmlElement[] = [];
  private root?: XmlElement;
  private readonly counts = new Map<string, number>();
  private failure?: FileImportError;
  /** The first element closed at the current position: saxes closes a mismatched element, then reports it. */
  private closed?: { at: number; el: XmlElement };

  constructor(private readonly handlers: StreamHandlers) {
    this.parser.on('error', (e) => {
      // saxes prefixes "line:column: "; keep only its reason.
      const reason = e.message.replace(/^\d+:\d+: /, '');
      const at = this.closed?.at === this.parser.position ? this.closed.el : this.stack.at(-1);
      this.failure ??= new FileImportError(
        'FILE.XML_MALFORMED',
        this.parser.line,
        at?.path ?? '(document)',
        `not well-formed XML: ${reason}`,
      );
    });
    this.parser.on('opentag', (tag) => {
      if (this.failure) return;
      const parent = this.stack.at(-1);
      const local = tag.name.replace(/^.*:/, '');
      const parentPath = parent?.path.replace(/\[\d+\]/g, '');
      const plain = parentPath ? `${parentPath}/${local}` : local;
      let path = parent ? `${parent.path}/${local}` : local;
      if (this.handlers.records.includes(plain)) {
        const n = (this.counts.get(plain) ?? 0) + 1;
        this.counts.set(plain, n);
        path = `${path}[${n}]`;
      }
      const el: XmlElement = { name: local, path, line: this.parser.line, text: '', children: [] };
      if (!parent) {
        if (local !== this.handlers.root)
          this.failure = new FileImportError(
            'FILE.WRONG_KIND',
            el.line,
            local,
            `the root element is <${local}>, expected <${this.handlers.root}>`,
          );
        this.root = el;
      } else parent.children.push(el);
      this.stack.push(el);
    });
    this.parser.on('text', (t) => {
      const top = this.stack.at(-1);
      if (top) top.text += t;
    });
    this.parser.on('cdata', (t) => {
      const top = this.stack.at(-1);
      if (top) top.text += t;
    });
    this.parser.on('closetag', () => {
      const el = this.stack.pop();
      if (!el || this.failure) return;
      if (this.closed?.at !== this.parser.position) this.closed = { at: this.parser.position, el };
      const isRecord = this.handlers.records.includes(el.path.replace(/\[\d+\]/g, ''));
      if (isRecord) this.stack.at(-1)?.children.pop();
      try {
        if (isRecord) this.handlers.onRecord(el);
        else if (this.stack.length === 1) this.handlers.onSection?.(el);
      } catch (error) {
        if (error instanceof FileImportError) this.failure = error;
        else throw error;
      }
    });
  }

  write(chunk: string): void {
    if (this.failure) throw this.failure;
    this.parser.write(chunk);
    if (this.failure) throw this.failure;
  }

  /** Ends the document; returns the root with the records taken out. */
  close(): XmlElement {
    if (!this.failure) this.parser.close();
    if (this.failure) throw this.failure;
    if (!this.root)
      throw new FileImportError(
        'FILE.XML_MALFORMED',
        1,
        '(document)',
        'the file has no root element',
      );
    return this.root;
  }
}
