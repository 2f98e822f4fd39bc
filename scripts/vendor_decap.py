#!/usr/bin/env python3
"""Fetch Decap CMS (and js-yaml) from the npm registry into vendor/, for an upgrade; never
needed to build.

The web editor's script is served by the site itself (no CDN: mainland networks and office
intranets cannot rely on one), so the files live in the repository and `make site` needs only
Python, git and make. This script is how they got there and how they are replaced:

    python3 scripts/vendor_decap.py 3.16.3          # (re)write vendor/decap-cms-3.16.3/
    python3 scripts/vendor_decap.py 3.16.3 --check  # fetch again, compare, change nothing
    python3 scripts/vendor_decap.py js-yaml@4.3.2   # the YAML reader the editor's format uses

`npm pack` downloads the package with npm's own integrity check (the registry's SHA-512);
the script copies the main bundle, its lazily loaded chunks (no source maps) and the
licences, and writes SHA256SUMS, which every build checks (builder/commands/editor.py) and
whose main-script line is also pinned in that module. After an upgrade, change
DECAP_VERSION and DECAP_SHA256 there and run the tests.

Needs Node.js and npm (on developer and CI machines); standard library only otherwise.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAIN = "decap-cms.js"
# Decap's own licence: the npm package names it (MIT) in package.json but ships no text.
LICENCE = """\
Copyright (c) 2016 Netlify <decap@p-m.si>

MIT License

Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to
the following conditions:

The above copyright notice and this permission notice shall be
included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND,
EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION
OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def wanted(name: str) -> bool:
    """The main bundle, its numbered chunks and the third-party licence file; not the
    `cms.js` alias bundle, source maps or wasm (the editor's widgets never load them)."""
    return name == MAIN or name == MAIN + ".LICENSE.txt" or (
        name.endswith("." + MAIN) and name.split(".")[0].isdigit())


# js-yaml: its browser build and its licence (the editor's record format reads and writes
# front matter with it, so the YAML is Sunlight's shape, not Decap's).
JS_YAML_FILES = {"package/dist/js-yaml.min.js": "js-yaml.min.js", "package/LICENSE": "LICENSE"}


def fetch(package: str, version: str, into: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"{package}@{version}", "--silent"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        (tarball,) = Path(tmp).glob(f"{package}-*.tgz")
        with tarfile.open(tarball) as archive:
            for member in archive.getmembers():
                if not member.isfile():
                    continue
                if package == "js-yaml":
                    name = JS_YAML_FILES.get(member.name)
                else:
                    name = member.name.removeprefix("package/dist/")
                    if not member.name.startswith("package/dist/") or "/" in name \
                            or not wanted(name):
                        name = None
                if name:
                    (into / name).write_bytes(archive.extractfile(member).read())
    if package == "decap-cms":
        (into / "LICENSE").write_text(LICENCE, encoding="utf-8")
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                   for p in sorted(into.iterdir()) if p.name != "SHA256SUMS")
    (into / "SHA256SUMS").write_text(sums, encoding="utf-8")


def main(argv: list[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    package, _, version = argv[0].rpartition("@")
    package, check = package or "decap-cms", "--check" in argv[1:]
    target = ROOT / "vendor" / f"{package}-{version}"
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "fresh"
        fresh.mkdir()
        fetch(package, version, fresh)
        if check:
            same = (target / "SHA256SUMS").is_file() and \
                (target / "SHA256SUMS").read_bytes() == (fresh / "SHA256SUMS").read_bytes()
            print(f"{target}: {'matches' if same else 'DIFFERS FROM'} {package}@{version}")
            return 0 if same else 1
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(fresh, target)
    main_sum = (target / "SHA256SUMS").read_text().splitlines()
    print(f"wrote {target} ({len(main_sum)} files)")
    print("\n".join(line for line in main_sum if line.endswith(".js")
                    and not line.split("  ")[1][0].isdigit()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
