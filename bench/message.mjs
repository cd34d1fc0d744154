// Deterministic test messages for the benchmark: a realistic header block and a plain-text body
// of numbered lines, padded to exactly the requested number of bytes; and a commit notification
// as git-multimail sends it, for the routing scenario. Same size, same bytes, on every machine
// and every run, so results are comparable.
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';

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

// A commit notification as git-multimail (https://github.com/git-multimail/git-multimail) sends
// one through a mailing list, as Postfix hands it to us: 32 header lines (26 fields), an RFC 2047
// subject folded over two lines, a folded To with four addresses (one display name encoded),
// List-Id and the X-Git-* fields that routing rules look at. bench/routing.mjs writes its rules
// against these values; change one and the other together.
const COMMIT_HEADER = [
  'Return-Path: <gstreamer-commits-bounces@lists.example.org>',
  'X-Original-To: buildbot@ci.example.org',
  'Delivered-To: buildbot@ci.example.org',
  'Received: from lists.example.org (lists.example.org [192.0.2.40])',
  '\tby ci.example.org (Postfix) with ESMTPS id 4ZxQ7k1bC9z9sLq',
  '\tfor <buildbot@ci.example.org>; Sat, 28 Nov 2026 12:00:02 +0000 (UTC)',
  'Received: by git.example.org (Postfix, from userid 998)',
  '\tid 3F1A22C0123; Sat, 28 Nov 2026 12:00:00 +0000 (UTC)',
  'Date: Sat, 28 Nov 2026 12:00:00 +0000',
  'From: =?UTF-8?Q?Zo=C3=AB_D=C3=A9veloppeuse?= <zoe@example.org>',
  'To: gstreamer-commits@lists.example.org,',
  '\t"Buildbot Linux" <bb-linux@ci.example.org>,',
  '\t=?UTF-8?Q?Ren=C3=A9_Release?= <release-team@example.org>, ci-watchers@example.net',
  'Subject: =?UTF-8?Q?=5Bgstreamer=5D_main=3A_rtpjitterbuffer=3A_fix_r=C3=A9ordering?=',
  ' =?UTF-8?Q?_of_late_packets_=28a1b2c3d=29?=',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
  'Message-ID: <176436720012.4711.9301723512698451672@git.example.org>',
  'Reply-To: gstreamer-devel@lists.example.org',
  'List-Id: GStreamer commits <gstreamer-commits.lists.example.org>',
  'List-Unsubscribe: <https://lists.example.org/mailman/options/gstreamer-commits>',
  'Precedence: list',
  'X-Git-Host: git.example.org',
  'X-Git-Repo: gstreamer',
  'X-Git-Refname: refs/heads/main',
  'X-Git-Reftype: branch',
  'X-Git-Oldrev: 0f9e8d7c6b5a49382716059483726150a9b8c7d6',
  'X-Git-Rev: a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  'X-Git-NotificationType: diff',
  'X-Git-Multimail-Version: 1.6.0',
  'Auto-Submitted: auto-generated',
  '',
  '',
].join('\n');

const COMMIT_BODY = [
  'This is an automated email from the git hooks/post-receive script.',
  '',
  'Zoë Développeuse pushed a commit to branch main',
  'in repository gstreamer.',
  '',
  'commit a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
  'Author: Zoë Développeuse <zoe@example.org>',
  'Date:   Sat Nov 28 11:58:40 2026 +0100',
  '',
  '    rtpjitterbuffer: fix réordering of late packets',
  '',
  '    A packet that arrives after its successor was already pushed must be dropped,',
  '    not queued again: it would be pushed out of order.',
  '',
  '---',
  ' subprojects/gst-plugins-good/gst/rtpmanager/rtpjitterbuffer.c | 12 +++++++-----',
  ' 1 file changed, 7 insertions(+), 5 deletions(-)',
  '',
  'diff --git a/subprojects/gst-plugins-good/gst/rtpmanager/rtpjitterbuffer.c b/subprojects/gst-plugins-good/gst/rtpmanager/rtpjitterbuffer.c',
  'index 0f9e8d7..a1b2c3d 100644',
  '--- a/subprojects/gst-plugins-good/gst/rtpmanager/rtpjitterbuffer.c',
  '+++ b/subprojects/gst-plugins-good/gst/rtpmanager/rtpjitterbuffer.c',
  '',
].join('\n');

/** Writes the commit notification, padded with diff context lines to exactly `size` bytes. */
export function writeCommitMessage(path, size) {
  let text = COMMIT_HEADER + COMMIT_BODY;
  for (let hunk = 1; Buffer.byteLength(text) < size; hunk++) {
    text += `@@ -${hunk * 40},7 +${hunk * 40},8 @@ rtp_jitter_buffer_insert (RTPJitterBuffer * jbuf, RTPJitterBufferItem * item)\n`;
    text += `   if (G_UNLIKELY (seqnum < jbuf->last_popped_seqnum + ${hunk})) {\n`;
    text += '-    GST_DEBUG ("queueing late packet again");\n';
    text += '+    GST_DEBUG ("dropping late packet %u", seqnum);\n';
    text += '     return FALSE;\n';
  }
  const bytes = Buffer.from(text, 'utf8').subarray(0, size);
  bytes[size - 1] = 0x0a; // ends with a newline; the cut falls in ASCII diff text
  writeFileSync(path, bytes);
}
