// What rules look at: the decoded values of a header field, and the addresses in an address
// field. Built from the split header (src/message/header-fields.ts); decoding happens on first
// use and is cached, so a rule set that reads two fields decodes two fields. Never throws: a
// field that cannot be decoded is seen as it stands (README, "Routing").
import type { HeaderField } from '../message/header-fields';
import { decodeEncodedWords, headerText } from './encoded-words';

export interface HeaderView {
  /** Decoded, trimmed values of every field with this name (any case), in header order. */
  values(name: string): readonly string[];
  /** Addresses (local@domain) of every field with this name, groups flattened, in order. */
  addresses(name: string): readonly string[];
}

/** Mailbox addresses in an address field's text (nodemailer's addressparser, via address-parser.ts). */
export type AddressParser = (text: string) => readonly string[];

export function headerView(fields: readonly HeaderField[], parseAddresses: AddressParser): HeaderView {
  const byName = new Map<string, HeaderField[]>();
  for (const field of fields) {
    const key = field.name.toLowerCase();
    const list = byName.get(key);
    if (list === undefined) byName.set(key, [field]);
    else list.push(field);
  }
  const texts = (name: string): string[] =>
    (byName.get(name.toLowerCase()) ?? []).map((f) => headerText(f.value));
  const valueCache = new Map<string, readonly string[]>();
  const addressCache = new Map<string, readonly string[]>();
  return {
    values(name) {
      const key = name.toLowerCase();
      let values = valueCache.get(key);
      if (values === undefined) {
        values = texts(key).map((text) => decodeEncodedWords(text).trim());
        valueCache.set(key, values);
      }
      return values;
    },
    addresses(name) {
      const key = name.toLowerCase();
      let addresses = addressCache.get(key);
      if (addresses === undefined) {
        addresses = texts(key).flatMap((text) => {
          try {
            return parseAddresses(text);
          } catch {
            return []; // a field no parser makes sense of holds no address
          }
        });
        addressCache.set(key, addresses);
      }
      return addresses;
    },
  };
}
