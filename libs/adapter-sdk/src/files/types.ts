/** What an imported file holds, in the contract's terms, ready for the adapter's store. */
export type FileKind = 'ctf' | 'cin';

export interface ImportedRecord {
  /** A category the agreements know (`enrolment`, `attendance`, `involvement`, …). */
  category: string;
  /** When it happened, for ordering newest first. */
  occurredOn?: string;
  /** Contract field name -> value. */
  fields: Record<string, string | number | null>;
}

export interface ImportedPerson {
  /** The file's own stable identifier (UPN in a CTF, LAchildID in a CIN census): the same person across files. */
  key: string;
  givenName?: string;
  familyName?: string;
  /** Another surname the person is known by (a CTF's former or preferred surname). */
  otherFamilyName?: string;
  dateOfBirth: string;
  sex?: 'female' | 'male' | 'unknown';
  address?: string;
  postcode?: string;
  upn?: string;
  formerUpn?: string;
  laChildId?: string;
  records: ImportedRecord[];
}

export interface ParsedFile {
  kind: FileKind;
  /** Who sent it, without personal data: `LEA 873 / Estab 2001 (CTF 22.0)`. */
  source: string;
  people: ImportedPerson[];
}

export interface ParseOptions {
  /** Called as the file is read: bytes read so far and people parsed so far. */
  progress?: (bytesRead: number, people: number) => void;
}
