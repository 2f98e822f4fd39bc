"""The web editor, driven in headless Chromium against its local backend on a real Git repository.

`sunlight serve --editor`'s parts, really run: the editor generated from site_config/, Decap CMS
from vendor/, decap-server from the npm registry (run with npx) saving into a temporary Git
working copy. The test creates a rectification item with a deadline extension and its reason,
a finding reference and an internal contact, and expects the file under its ID in
content/rectifications/ passing `sunlight validate`; then it moves an existing item to
completed with date and result and expects `sunlight check --base` to pass. Then the editorial
workflow, on a second repository with decap-server in its git mode: a saved draft is a branch
of its own, its status moves to review and ready, and publishing merges it into main.

Needs node/npx (decap-server) and Debian's chromium and chromium-driver; CI has all of them
(.ci/run), so there a missing one fails the test; locally it is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import cli
from builder.commands.serve import EditorUnavailable, Preview
from builder.pipeline import Deployment

from conftest import BASE_RECORDS, RECTIFICATION, edit
from gitrepo import GitProject, git

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
NODE = shutil.which("node") and shutil.which("npx")

_missing = [name for name, found in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER),
                                     ("node/npx", NODE)) if not found]
if _missing:
    if os.environ.get("CI"):
        pytest.fail(f"the editor's browser test needs {', '.join(_missing)} in CI", pytrace=False)
    pytest.skip(f"{', '.join(_missing)} not installed: the editor's browser test needs them",
                allow_module_level=True)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

IN_PROGRESS_PATH = "content/rectifications/ZG-2023-002.md"
IN_PROGRESS = edit(edit(edit(RECTIFICATION, "ZG-2023-001", "ZG-2023-002"),
                        "status: completed", "status: in_progress"),
                   "completed: 2023-09-15\nresult: 已拨付全部资金。\n", "")


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> tuple[Path, str]:
    project = GitProject(tmp_path_factory.mktemp("editor") / "project")
    base = project.commit("2024-01-02T10:00:00+08:00", "记录",
                          {**BASE_RECORDS, IN_PROGRESS_PATH: IN_PROGRESS})
    return project.root, base


def serve_editor(root: Path, **options):
    """The web editor of the project at `root`, served by a real preview with decap-server
    (`options`: Preview's, e.g. workflow=True), until the module's tests are done."""
    preview = Preview(Deployment(root), editor=True, **options)
    try:
        preview.start_editor()
    except EditorUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    host, port = preview.start("127.0.0.1", 0)
    yield f"http://{host}:{port}/editor/"
    preview.close()


@pytest.fixture(scope="module")
def editor_url(repo):
    yield from serve_editor(repo[0])


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--lang=en-US",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options,
                              service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


# --- driving Decap's form ----------------------------------------------------------------------


class Form:
    """Decap's entry form, found the way a person finds it: by the fields' Chinese labels."""

    def __init__(self, driver):
        self.driver = driver
        self.wait = WebDriverWait(driver, 30)

    def open(self, url: str) -> None:
        self.driver.get(url)
        self.driver.refresh()   # a hash change alone does not reload Decap
        self.wait.until(lambda d: d.find_elements(By.XPATH, "//label"))

    def login(self, url: str) -> None:
        self.driver.get(url)
        button = self.wait.until(lambda d: d.find_elements(By.XPATH, "//button[contains(., '登录')]"))
        button[0].click()
        self.wait.until(lambda d: "整改事项" in d.find_element(By.TAG_NAME, "body").text)

    def input(self, label: str, index: int = 0):
        labels = self.wait.until(lambda d: d.find_elements(
            By.XPATH, f"//label[starts-with(normalize-space(.), '{label}')]"))
        target = labels[index].get_attribute("for")
        return self.driver.find_element(By.ID, target)

    def type(self, label: str, text: str, index: int = 0) -> None:
        field = self.input(label, index)
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(text)

    def date(self, label: str, value: date, index: int = 0) -> None:
        # A date picker's typed digits depend on the browser's locale; set the value the way
        # the picker does, through the input's own setter, and let React see the event.
        field = self.input(label, index)
        self.driver.execute_script(
            "const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;"
            "set.call(arguments[0], arguments[1]);"
            "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
            "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
            field, value.isoformat())

    def choose(self, label: str, text: str, index: int = 0) -> None:
        """A select or relation widget (react-select): type, then take the first option."""
        field = self.input(label, index)
        field.send_keys(text)
        self.wait.until(lambda d: d.find_elements(By.XPATH, f"//*[contains(@class, 'option') "
                                                            f"and contains(., '{text}')]"))
        field.send_keys(Keys.ENTER)

    def click(self, text: str) -> None:
        button = self.wait.until(lambda d: [b for b in d.find_elements(
            By.XPATH, f"//button[contains(normalize-space(.), '{text}')] | "
                      f"//*[(@role='button' or @role='menuitem') and "
                      f"contains(normalize-space(.), '{text}')]")
            if b.is_displayed()])
        button[0].click()

    def publish(self) -> None:
        self.click("发布")
        self.click("立即发布")


def wait_for(check, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


def validate(root: Path):
    return CliRunner().invoke(cli, ["validate", "--root", str(root)])


# --- the test ----------------------------------------------------------------------------------


def test_editor_creates_and_completes_rectifications_that_pass_the_checks(repo, editor_url,
                                                                           browser) -> None:
    root, base = repo
    form = Form(browser)
    form.login(editor_url)
    new_id = f"ZG-{date.today().year}-001"   # the form's default: the next free ID

    form.open(editor_url + "#/collections/rectification/new")
    assert form.input("编号").get_attribute("value") == new_id
    form.type("标题", "补种林场苗木")
    form.choose("对应问题", "WT-2023-001")
    form.choose("责任单位", "洛阳市林业局")
    form.date("交办日期", date(2024, 3, 1))
    form.date("整改期限", date(2024, 6, 30))
    form.click("新增延期记录")
    form.date("批准日期", date(2024, 6, 20))
    form.date("新期限", date(2024, 9, 30))
    form.type("延期理由", "雨季无法栽种，顺延至秋季")
    form.type("联系人", "王芳 0379-12345678")
    form.publish()

    created = root / "content" / "rectifications" / f"{new_id}.md"
    assert wait_for(created.is_file), sorted(os.listdir(created.parent))
    text = created.read_text(encoding="utf-8")
    for line in (f"id: {new_id}", "type: rectification", "finding: WT-2023-001",
                 "responsible_unit: ly-lyj", "deadline: 2024-06-30", "contact: 王芳 0379-12345678",
                 "reason: 雨季无法栽种，顺延至秋季"):
        assert line in text, text
    result = validate(root)
    assert result.exit_code == 0, result.output + text

    form.open(editor_url + "#/collections/rectification/entries/ZG-2023-002")
    form.choose("状态", "已完成")
    form.date("完成日期", date(2023, 9, 20))
    form.type("整改结果", "资金已全部拨付到位。")
    form.publish()
    moved = root / IN_PROGRESS_PATH
    assert wait_for(lambda: "status: completed" in moved.read_text(encoding="utf-8"))
    text = moved.read_text(encoding="utf-8")
    assert "completed: 2023-09-20" in text and "result: 资金已全部拨付到位。" in text, text
    # The untouched parts keep their shape: same keys in the same order, same body.
    assert text.startswith("---\nid: ZG-2023-002\ntype: rectification\n"), text
    assert text.endswith(IN_PROGRESS.split("---\n", 2)[2]), text

    checked = CliRunner().invoke(cli, ["check", "--base", base, "--root", str(root)])
    assert checked.exit_code == 0, checked.output
    assert git(root, "status", "--porcelain").count("\n") == 1   # the two files, nothing else


# --- the editorial workflow --------------------------------------------------------------------
# decap-server's git mode plays on the local repository what a forge does: a draft is a commit
# on the branch cms/<type>/<slug>, its status that branch's description, and publishing merges
# it. The same Decap pages drive it as on GitHub, GitLab or Gitea.


@pytest.fixture(scope="module")
def workflow_repo(tmp_path_factory) -> tuple[Path, str]:
    project = GitProject(tmp_path_factory.mktemp("workflow") / "project")
    base = project.commit("2024-01-02T10:00:00+08:00", "记录", BASE_RECORDS)
    return project.root, base


@pytest.fixture(scope="module")
def workflow_url(workflow_repo):
    yield from serve_editor(workflow_repo[0], workflow=True)


def workflow_status(root: Path, branch: str) -> str | None:
    """The draft's status as decap-server keeps it (the branch's description), or None."""
    try:
        return git(root, "config", "--get", f"branch.{branch}.description")
    except subprocess.CalledProcessError:
        return None


def accept_confirmation(driver) -> None:
    """Decap asks "你确定要发布此内容吗？" with the browser's own dialog."""
    WebDriverWait(driver, 10).until(lambda d: d.switch_to.alert).accept()


def test_editorial_workflow_saves_a_draft_on_its_branch_and_publishes_it(workflow_repo,
                                                                         workflow_url,
                                                                         browser) -> None:
    root, base = workflow_repo
    form = Form(browser)
    form.login(workflow_url)
    new_id = f"ZG-{date.today().year}-001"
    branch, path = f"cms/rectification/{new_id.lower()}", f"content/rectifications/{new_id}.md"

    form.open(workflow_url + "#/collections/rectification/new")
    form.choose("对应问题", "WT-2023-001")
    form.choose("责任单位", "洛阳市林业局")
    form.date("交办日期", date(2024, 3, 1))
    form.date("整改期限", date(2024, 6, 30))
    form.type("标题", "补种林场苗木")
    form.click("保存")

    # A draft: its own branch holds the file under its ID; the published branch does not.
    assert wait_for(lambda: workflow_status(root, branch) == "decap-cms/draft"), \
        git(root, "branch", "--all")
    draft = git(root, "show", f"{branch}:{path}")
    assert f"id: {new_id}" in draft and "title: 补种林场苗木" in draft, draft
    # decap-server's git mode commits on the draft's branch and then checks main out again:
    # wait for that last step rather than racing it.
    assert wait_for(lambda: git(root, "branch", "--show-current") == "main"
                    and not (root / path).exists())

    form.click("状态: 草稿")
    form.click("审核中")
    assert wait_for(lambda: workflow_status(root, branch) == "decap-cms/pending_review")

    browser.get(workflow_url + "#/workflow")      # a hash change: the same page, no reload

    def open_card(d) -> bool:
        # The board draws its cards again once its entries have loaded: a card found before
        # that is gone when clicked, so it is found and clicked again until the click lands.
        cards = d.find_elements(By.XPATH, f"//*[contains(normalize-space(.), '{new_id} · 补种林场苗木')]"
                                          "[not(*[contains(normalize-space(.), '补种林场苗木')])]")
        if not cards or "审查中" not in d.find_element(By.TAG_NAME, "body").text:
            return False
        cards[0].click()
        return True

    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(open_card)

    form.click("状态: 审核中")
    form.click("就绪")
    assert wait_for(lambda: workflow_status(root, branch) == "decap-cms/pending_publish")
    form.publish()
    accept_confirmation(browser)

    # Published: merged into main, the draft's branch gone; the record passes the checks.
    assert wait_for(lambda: (root / path).is_file())
    assert wait_for(lambda: branch not in git(root, "branch", "--list", branch))
    assert (root / path).read_text(encoding="utf-8").rstrip("\n") == draft.rstrip("\n")
    result = validate(root)
    assert result.exit_code == 0, result.output
    checked = CliRunner().invoke(cli, ["check", "--base", base, "--root", str(root)])
    assert checked.exit_code == 0, checked.output
    assert git(root, "status", "--porcelain") == ""
