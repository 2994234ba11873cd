#!/usr/bin/python3
"""Check that the documentation still matches the code (used by docs.sh).

    docs_check.py ROOT SMAB KIND DOC.md

KIND is one of
  commands  every command line in DOC's fenced code blocks that runs smab
            (smab, build/smab, PREFIX/bin/smab, mpirun ... smab), make or a
            script under scripts/ names a subcommand, target or script that
            exists, and each of its options appears in that subcommand's
            'smab SUB --help' (for scripts: in the output of a Python
            script's --help, or in a shell script's source, which is never
            run);
  inline    the same for inline code spans that start with smab or build/smab
            (the usage lines in the prose);
  paths     every repository path named in DOC (experiments/, scripts/,
            jobs/, docs/, tests/, src/, include/, mk/) exists, from the
            repository's root or from DOC's directory; an upper-case
            placeholder such as FILE or NAME matches any name;
  links     every relative Markdown link resolves to a file, and every
            #anchor to a heading or an <a id> of the file it points into.
Prints one line per problem and exits 1 if there was any.
"""
import glob
import os
import re
import shlex
import subprocess
import sys

ROOT, SMAB, KIND, DOC = sys.argv[1:5]
TEXT = open(DOC, encoding="utf-8").read()
DOCDIR = os.path.dirname(os.path.abspath(DOC))
problems = []
_help = {}


def fenced_lines(text):
    """Lines of the fenced code blocks, continuation lines joined."""
    out, inside, acc = [], False, ""
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
            continue
        if not inside:
            continue
        if line.rstrip().endswith("\\"):
            acc += line.rstrip()[:-1] + " "
            continue
        out.append(acc + line)
        acc = ""
    return out


def words(line):
    """Shell words of a command line, its comment dropped."""
    line = re.sub(r"\$\([^)]*\)", "X", line.strip())
    if line.startswith("$ "):
        line = line[2:]
    try:
        return shlex.split(line, comments=True)
    except ValueError:
        return line.split("#", 1)[0].split()


def options(ws):
    """The options among the words: '--flag', '-o'; 'K=V' values, '[...]',
    'a|b' alternatives and placeholders stripped; nothing after '--'."""
    out = []
    for w in ws:
        if w == "--":
            break
        for part in w.split("|"):
            part = part.strip("[]().,…")
            part = part.rstrip(".")
            if re.fullmatch(r"--?[A-Za-z][A-Za-z0-9-]*(=.*)?", part):
                out.append(part.split("=", 1)[0])
    return out


def helptext(cmd):
    if cmd not in _help:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        _help[cmd] = (r.returncode, r.stdout + r.stderr)
    return _help[cmd]


def has_option(text, opt):
    return re.search(r"(?<![\w-])" + re.escape(opt) + r"(?![\w-])", text) is not None


def check_smab(ws, where):
    if not ws:
        return
    sub = ws[0]
    if sub.startswith("-"):
        rc, text = helptext((SMAB, "--help"))
        args = ws
        sub = ""
    else:
        rc, text = helptext((SMAB, sub, "--help"))
        args = ws[1:]
        if rc != 0:
            problems.append(f"{where}: 'smab {sub}': no such subcommand "
                            f"('smab {sub} --help' exited {rc})")
            return
    for o in options(args):
        if o != "--help" and not has_option(text, o):
            problems.append(f"{where}: 'smab {sub}': option {o} is not in "
                            f"'smab {sub} --help'")


_targets = None


def make_targets():
    global _targets
    if _targets is None:
        # The rules' heads in the makefiles, read, not run: a dry run of
        # some targets (deps, run) would look at the system.
        _targets = set()
        for mk in [os.path.join(ROOT, "Makefile")] + glob.glob(os.path.join(ROOT, "mk", "*.mk")):
            for line in open(mk, encoding="utf-8"):
                m = re.match(r"^([A-Za-z0-9][\w./ -]*?)\s*:(?!=)", line)
                if m:
                    _targets.update(m.group(1).split())
    return _targets


def check_make(ws, where):
    for w in ws:
        if w.startswith("-") or "=" in w or "$" in w:
            continue
        if "/" in w:   # a file target such as build/smab: built by a pattern rule
            continue
        if w not in make_targets():
            problems.append(f"{where}: 'make {w}': no such target")


def check_script(path, ws, where):
    full = os.path.join(ROOT, path)
    if not os.path.isfile(full):
        problems.append(f"{where}: {path}: no such script")
        return
    text = open(full, encoding="utf-8", errors="replace").read()
    if path.endswith(".py"):
        text += helptext(("/usr/bin/python3", full, "--help"))[1]
    for o in options(ws):
        if not has_option(text, o):
            problems.append(f"{where}: {path}: option {o} is neither in its "
                            f"--help nor in its source")


def check_command(line, where):
    ws = words(line)
    while ws and (re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", ws[0]) or ws[0] == "sudo"):
        ws = ws[1:]
    if not ws:
        return
    if ws[0] == "mpirun":
        i = 1
        while i < len(ws) and not ws[i].endswith("smab"):
            i += 1
        ws = ws[i:]
        if not ws:
            return
    head = ws[0]
    if head == "smab" or head.endswith("/smab"):
        check_smab(ws[1:], where)
    elif head == "make":
        check_make(ws[1:], where)
    elif head.startswith("scripts/") and not head.endswith("/"):
        check_script(head, ws[1:], where)
    elif head.endswith("python3") and len(ws) > 1 and ws[1].startswith("scripts/"):
        check_script(ws[1], ws[2:], where)


def slug(heading):
    s = re.sub(r"<[^>]+>", "", heading).strip().lower()
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


def anchors(text):
    out, seen = set(), {}
    inside = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            inside = not inside
        if inside:
            continue
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            s = slug(m.group(1))
            n = seen.get(s, 0)
            seen[s] = n + 1
            out.add(s if n == 0 else f"{s}-{n}")
    out.update(re.findall(r'<a\s+(?:id|name)="([^"]+)"', text))
    return out


def check_paths():
    found = set()
    pat = r"(?<![\w/.$~-])((?:experiments|scripts|jobs|docs|tests|src|include|mk)/[\w.*/+-]*)"
    for m in re.finditer(pat, TEXT):
        p = m.group(1).rstrip(".,:;")
        if p.endswith("/") and len(p.split("/")) == 2:
            pass
        found.add(p)
    for p in sorted(found):
        g = re.sub(r"(?<![A-Za-z])[A-Z][A-Z0-9_]+(?![a-z])", "*", p)
        g = g.replace("…", "*")
        if g.endswith(".") or g.endswith("-"):
            g += "*"
        if not (glob.glob(os.path.join(ROOT, g)) or glob.glob(os.path.join(DOCDIR, g))):
            problems.append(f"{DOC}: path {p} does not exist")


def check_links():
    mine = anchors(TEXT)
    for m in re.finditer(r"\]\(([^)\s]+)\)", TEXT):
        target = m.group(1)
        if re.match(r"^[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        if path:
            full = os.path.normpath(os.path.join(DOCDIR, path))
            if not os.path.exists(full):
                problems.append(f"{DOC}: link {target}: no such file")
                continue
            if anchor and full.endswith(".md"):
                if anchor not in anchors(open(full, encoding="utf-8").read()):
                    problems.append(f"{DOC}: link {target}: no such anchor")
        elif anchor and anchor not in mine:
            problems.append(f"{DOC}: link #{anchor}: no such anchor")


if KIND == "commands":
    for i, line in enumerate(fenced_lines(TEXT)):
        check_command(line, f"{DOC}: code block line '{line.strip()[:60]}'")
elif KIND == "inline":
    for span in re.findall(r"`([^`\n]+)`", TEXT):
        if re.match(r"^(build/)?smab\s", span):
            check_command(span, f"{DOC}: inline '{span[:60]}'")
elif KIND == "paths":
    check_paths()
elif KIND == "links":
    check_links()
else:
    sys.exit(f"docs_check.py: unknown kind {KIND}")
for p in problems:
    print("    " + p)
sys.exit(1 if problems else 0)
