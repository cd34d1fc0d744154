// nodemailer's addressparser (the one mailparser uses) turns an address field into mailboxes.
// Loaded only when a rule tests an address, so a delivery without such rules never pays for it.
import type { AddressParser } from './header-view';

export async function loadAddressParser(): Promise<AddressParser> {
  const { default: addressparser } = await import('nodemailer/lib/addressparser');
  return (text) =>
    addressparser(text, { flatten: true })
      .map((mailbox) => mailbox.address.trim())
      .filter((address) => address !== '');
}
