#!/usr/bin/env python3
"""Take the web editor's screenshots for the editor's guide (docs/images/editor/*.png).

Runs what `sunlight serve --audience internal --editor` runs, on a temporary Git copy of this
repository's content/ and site_config/, with decap-server in its git mode, which plays the
editorial workflow on that repository as a forge does (a draft is a branch cms/<type>/<id>,
publishing merges it). Headless Chromium goes through the steps the guide walks through:
the sign-in page as a GitHub deployment shows it, the list of record types, a new
rectification item being filled in (with its preview), the preview's warnings, the draft
saved, the workflow board with the draft in review, the check's output and reviewer summary
for that draft's branch (the real `sunlight check --base origin/main`, laid out as a page:
no forge is reachable here, so the forge's own pages are not shown), the record fixed and
published, its page on the public site, and a withdrawal.

Needs Node.js (npx runs decap-server), Debian's chromium and chromium-driver, and a Chinese
font (Debian: fonts-noto-cjk), plus the test dependencies (selenium).

    .venv/bin/python scripts/editor_screenshots.py            # writes docs/images/editor/
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import markdown
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (NoAlertPresentException,  # noqa: E402
                                        UnexpectedAlertPresentException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from builder.cli import cli  # noqa: E402
from builder.commands import editor as web_editor  # noqa: E402
from builder.commands.scaffold import next_ids  # noqa: E402
from builder.commands.serve import Preview  # noqa: E402
from builder.model.model import load_model  # noqa: E402
from builder.pipeline import Deployment  # noqa: E402
from builder.stages.projection import Audience  # noqa: E402

OUT = ROOT / "docs" / "images" / "editor"
AS_OF = date(2024, 12, 1)   # fixed, so the screenshots do not change with the calendar
NEW_TITLE = "补种林场苗木并建立养护台账"


class Driver:
    def __init__(self, url: str, profile: Path):
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--lang=zh-CN",
                     "--window-size=1280,860", "--disable-dev-shm-usage",
                     "--disable-background-networking", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        self.d = webdriver.Chrome(options=options, service=webdriver.ChromeService(
            executable_path=shutil.which("chromedriver") or "chromedriver"))
        self.url = url
        self.wait = WebDriverWait(self.d, 30)

    def shot(self, name: str) -> None:
        time.sleep(1.0)   # let the preview pane catch up with the last keystroke
        self.d.save_screenshot(str(OUT / f"{name}.png"))
        print(f"wrote {OUT / name}.png")

    def go(self, fragment: str) -> None:
        for step in (lambda: self.d.get(self.url + fragment), self.d.refresh):
            try:
                step()
            except UnexpectedAlertPresentException:
                pass
            with contextlib.suppress(NoAlertPresentException):
                self.d.switch_to.alert.accept()   # "leave this page?" after a demo edit
        self.wait.until(lambda d: d.find_elements(By.XPATH, "//label"))

    def field(self, label: str):
        labels = self.wait.until(lambda d: d.find_elements(
            By.XPATH, f"//label[starts-with(normalize-space(.), '{label}')]"))
        return self.d.find_element(By.ID, labels[0].get_attribute("for"))

    def type(self, label: str, text: str) -> None:
        field = self.field(label)
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(text)

    def choose(self, label: str, text: str) -> None:
        field = self.field(label)
        field.send_keys(text)
        self.wait.until(lambda d: d.find_elements(
            By.XPATH, f"//*[contains(@class, 'option') and contains(., '{text}')]"))
        field.send_keys(Keys.ENTER)

    def date(self, label: str, value: date) -> None:
        self.d.execute_script(
            "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
            "set.call(arguments[0], arguments[1]);"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            self.field(label), value.isoformat())

    def click(self, text: str) -> None:
        self.wait.until(lambda d: [b for b in d.find_elements(
            By.XPATH, f"//button[contains(normalize-space(.), '{text}')] | "
                      f"//*[(@role='button' or @role='menuitem') and "
                      f"contains(normalize-space(.), '{text}')]") if b.is_displayed()])[0].click()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        root.mkdir()
        for name in ("content", "site_config"):
            shutil.copytree(ROOT / name, root / name)
        # decap-server commits drafts as whoever the repository says.
        for args in (["init", "-q", "-b", "main"], ["config", "user.name", "编辑"],
                     ["config", "user.email", "editor@example.org"],
                     ["config", "commit.gpgsign", "false"], ["add", "-A"],
                     ["commit", "-qm", "demo"], ["update-ref", "refs/remotes/origin/main", "HEAD"]):
            git(root, *args)
        preview = Preview(Deployment(root), Audience.INTERNAL, as_of=AS_OF, editor=True,
                          workflow=True)
        public = Preview(Deployment(root), Audience.PUBLIC, as_of=AS_OF)
        try:
            preview.start_editor()
            host, port = preview.start("127.0.0.1", 0)
            built = preview.rebuild()          # the site's stylesheet, for the preview pane
            if built.error is not None:
                raise SystemExit(f"build failed: {built.error}")
            pub_host, pub_port = public.start("127.0.0.1", 0)
            with github_login_page(root, Path(tmp) / "github") as login_url:
                driver = Driver(f"http://{host}:{port}/editor/", Path(tmp) / "chromium")
                try:
                    run(driver, root, Path(tmp), login_url,
                        lambda: _public_build(public, f"http://{pub_host}:{pub_port}/"))
                finally:
                    driver.d.quit()
        finally:
            preview.close()
            public.close()
    return 0


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def _public_build(public: Preview, url: str) -> str:
    built = public.rebuild()
    if built.error is not None:
        raise SystemExit(f"public build failed: {built.error}")
    return url


@contextlib.contextmanager
def github_login_page(root: Path, folder: Path):
    """The editor as a deployment configured for GitHub builds it, served from a folder:
    its first page (nothing is asked of GitHub before the button is pressed)."""
    model = load_model(root / "site_config")
    web_editor.write_editor(folder / web_editor.EDITOR_DIR, model,
                            next_ids(Deployment(root), model, AS_OF.year),
                            Deployment(root).template_dirs,
                            backend={"name": "github", "repo": "example-gov/sunlight-records",
                                     "branch": "main"})
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/{web_editor.EDITOR_DIR}/"
    finally:
        server.shutdown()
        server.server_close()


def run(b: Driver, root: Path, tmp: Path, login_url: str, public_site) -> None:
    b.d.get(login_url)
    b.wait.until(lambda d: d.find_elements(By.XPATH, "//button[contains(., 'GitHub')]"))
    b.shot("01-login")

    b.d.get(b.url)
    b.click("登录")
    b.wait.until(lambda d: "整改事项" in d.find_element(By.TAG_NAME, "body").text)
    b.d.get(b.url + "#/collections/rectification")
    b.wait.until(lambda d: "ZG-2023-001" in d.find_element(By.TAG_NAME, "body").text)
    b.shot("02-collection")

    b.go("#/collections/rectification/new")
    new_id = b.field("编号").get_attribute("value")
    b.choose("对应问题", "WT-2023-001")
    b.choose("责任单位", "洛阳市林业局")
    b.date("交办日期", date(2024, 11, 20))
    b.date("整改期限", date(2025, 3, 31))
    b.type("联系人", "王芳 0379-12345678")
    b.type("标题", NEW_TITLE)     # last: keys typed while the new form settles can be lost
    b.shot("03-new-record")

    b.choose("状态", "已完成")
    b.date("完成日期", date(2024, 11, 28))
    b.shot("04-preview-warnings")

    # Saved as a draft with the result still missing: what the check will report.
    b.click("保存")
    branch = f"cms/rectification/{new_id.lower()}"
    wait_for(lambda: branch in git(root, "branch", "--list", branch))
    b.wait.until(lambda d: "修改已保存" in d.find_element(By.TAG_NAME, "body").text)
    b.shot("06-draft-saved")
    b.click("状态: 草稿")
    b.click("审核中")
    wait_for(lambda: _status(root, branch) == "decap-cms/pending_review")
    b.d.get(b.url + "#/workflow")               # a hash change: the same page
    b.wait.until(lambda d: new_id in d.find_element(By.TAG_NAME, "body").text)
    b.shot("07-workflow-board")

    check_page(b, root, tmp, branch)

    # Fixed as the check says, saved again, made ready and published.
    b.d.get(b.url + "#/workflow")
    b.wait.until(lambda d: new_id in d.find_element(By.TAG_NAME, "body").text)
    b.d.find_element(By.XPATH, f"//*[contains(normalize-space(.), '{new_id} · ')]"
                               "[not(*[contains(normalize-space(.), '" + new_id + " · ')])]").click()
    b.type("整改结果", "已补种苗木 1200 株，建立养护台账，成活率 95%。")
    b.click("保存")
    wait_for(lambda: "result:" in git(root, "show", f"{branch}:content/rectifications/{new_id}.md"))
    b.wait.until(lambda d: "修改已保存" in d.find_element(By.TAG_NAME, "body").text)
    b.click("状态: 审核中")
    b.click("就绪")
    wait_for(lambda: _status(root, branch) == "decap-cms/pending_publish")
    b.click("发布")
    b.click("立即发布")
    WebDriverWait(b.d, 10).until(lambda d: d.switch_to.alert).accept()
    wait_for(lambda: (root / "content" / "rectifications" / f"{new_id}.md").is_file())

    site = public_site()
    b.d.get(f"{site}{_record_page(new_id)}")
    b.wait.until(lambda d: NEW_TITLE in d.find_element(By.TAG_NAME, "body").text)
    b.shot("09-published")

    b.go("#/collections/rectification/entries/ZG-2023-043")
    b.choose("状态", "已撤回")
    b.date("撤回日期", date(2024, 12, 1))
    b.type("撤回原因", "与 ZG-2023-042 重复登记，合并到该条办理。")
    b.shot("05-withdraw")


def wait_for(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise SystemExit("the editor did not get there in time")
        time.sleep(0.3)


def _status(root: Path, branch: str) -> str | None:
    done = subprocess.run(["git", "config", "--get", f"branch.{branch}.description"], cwd=root,
                          capture_output=True, text=True)
    return done.stdout.strip() or None


def _record_page(record_id: str) -> str:
    return f"rectification/{record_id}/"


CHECK_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>检查结果</title><style>
body {{ font: 15px/1.6 "Noto Sans CJK SC", sans-serif; margin: 24px 40px; color: #1f2328; }}
.note {{ color: #59636e; font-size: 13px; border-left: 3px solid #d1d9e0; padding-left: 10px; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 18px; }} h3 {{ font-size: 16px; }} h4 {{ font-size: 15px; }}
pre {{ background: #f6f8fa; padding: 12px 14px; white-space: pre-wrap; font-size: 13px;
      border: 1px solid #d1d9e0; border-radius: 6px; }}
.summary {{ border: 1px solid #d1d9e0; border-radius: 6px; padding: 4px 20px; }}
</style></head><body>
<p class="note">下面是合并请求自动检查中 <code>sunlight check --base origin/main</code> 对这份草稿的真实输出，
排成网页以便截图；在代码托管平台上，问题列表在检查的日志和改动行的标注里，审核摘要在检查结果的 Summary 页。</p>
<h1>检查输出</h1><pre>{output}</pre>
<h1>审核摘要（Summary）</h1><div class="summary">{summary}</div>
</body></html>"""


def check_page(b: Driver, root: Path, tmp: Path, branch: str) -> None:
    """The draft's branch checked the way the pull-request workflow checks it, shown as a
    page: the problems `sunlight check` prints, then the summary it writes for reviewers."""
    tree, summary = tmp / "pull-request", tmp / "summary.md"
    git(root, "worktree", "add", "-q", str(tree), branch)
    try:
        result = CliRunner().invoke(cli, ["check", "--base", "origin/main", "--root", str(tree),
                                          "--as-of", AS_OF.isoformat(), "--summary", str(summary)])
        if result.exit_code != 1:
            raise SystemExit(f"the draft was meant to fail the check:\n{result.output}")
        problems = result.output.split("\n## ", 1)[0].rstrip()
        page = tmp / "check.html"
        page.write_text(CHECK_PAGE.format(
            output=html.escape(problems),
            summary=markdown.markdown(summary.read_text(encoding="utf-8"))), encoding="utf-8")
        b.d.get(page.as_uri())
        b.shot("08-check-summary")
    finally:
        git(root, "worktree", "remove", "--force", str(tree))


if __name__ == "__main__":
    sys.exit(main())
