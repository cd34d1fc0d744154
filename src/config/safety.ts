// The rule .forward and .qmail follow (DESIGN.md, Security): a config file that someone else
// could have written is refused, since it decides where mail from the Internet is written.
// qmail-local defers on a group/world-writable home or .qmail; sendmail and Postfix ignore a
// .forward owned by another user. Pure: takes the stats, returns the problem or undefined.

export interface OwnerAndMode {
  readonly uid: number;
  readonly mode: number;
}

const GROUP_OR_WORLD_WRITABLE = 0o022;
const STICKY = 0o1000;

export function configSafetyProblem(
  file: OwnerAndMode,
  folder: OwnerAndMode,
  folderPath: string,
  myUid: number,
): string | undefined {
  if ((file.mode & GROUP_OR_WORLD_WRITABLE) !== 0) {
    return `is writable by group or others (mode ${octal(file.mode)}); run chmod go-w on it`;
  }
  if (file.uid !== myUid && file.uid !== 0) {
    return `is owned by uid ${file.uid}, not by you (uid ${myUid}) or root`;
  }
  // Another user who can write the folder could replace the file, unless the folder is sticky
  // (as /tmp is: there only the owner may rename or remove a file).
  if ((folder.mode & GROUP_OR_WORLD_WRITABLE) !== 0 && (folder.mode & STICKY) === 0) {
    return `is in ${folderPath}, which others can write (mode ${octal(folder.mode)}), so they could replace it`;
  }
  return undefined;
}

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}
