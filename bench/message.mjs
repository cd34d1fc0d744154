// Deterministic test messages for the benchmark: a realistic header block and a plain-text body
// of numbered lines, padded to exactly the requested number of bytes. Same size, same bytes,
// on every machine and every run, so results are comparable.
import { closeSync, openSync, writeSync } from 'node:fs';

const HEADER = [
  'Return-Path: <alice@example.org>',
  'Delivered-To: bob@example.net',
  'Received: from mx.example.org (mx.example.org [192.0.2.25])',
  '\tby mail.example.net (Postfix) with ESMTPS id 4Zx9Qk3LmTz1bench',
  '\tfor <bob@example.net>; Fri, 28 Nov 2025 13:58:00 +0000 (UTC)',
  'Received: from [198.51.100.7] (unknown [198.51.100.7])',
  '\tby mx.example.org (Postfix) with ESMTPSA id 7F2A31C0042',
  '\tfor <bob@example.net>; Fri, 28 Nov 2025 13:57:58 +0000 (UTC)',
  'DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=2025;',
  '\th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;',
  '\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSwganVzdCBiZW5jaG1hcmsgZmlsbGVyIHRleHQ=',
  'From: Alice Example <alice@example.org>',
  'To: Bob Example <bob@example.net>',
  'Subject: maildir-fanout benchmark message',
  'Date: Fri, 28 Nov 2025 13:57:58 +0000',
  'Message-ID: <bench-0001@mx.example.org>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=us-ascii',
  'Content-Transfer-Encoding: 7bit',
  '',
  '',
].join('\n');

const LINE_TEXT = ' The quick brown fox jumps over the lazy dog; pack my box with five dozen jugs.';

/** Writes a message of exactly `size` bytes (LF line endings, ends with a newline) to `path`. */
export function writeMessage(path, size) {
  const header = Buffer.from(HEADER, 'ascii');
  if (size < header.length + 1) throw new Error(`message size ${size} is smaller than its header`);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    let remaining = size - header.length;
    // Build the body in ~1 MiB chunks so a 200 MiB message never sits in memory at once.
    let lineNo = 0;
    while (remaining > 0) {
      const lines = [];
      let chunkBytes = 0;
      while (chunkBytes < 1 << 20 && chunkBytes < remaining) {
        const line = `${String(++lineNo).padStart(8, '0')}${LINE_TEXT}\n`;
        lines.push(line);
        chunkBytes += line.length;
      }
      let chunk = lines.join('');
      if (chunk.length > remaining) {
        // Last line: cut to fit, but keep the message ending in a newline.
        chunk = `${chunk.slice(0, remaining - 1)}\n`;
      }
      writeSync(fd, Buffer.from(chunk, 'ascii'));
      remaining -= chunk.length;
    }
  } finally {
    closeSync(fd);
  }
}
