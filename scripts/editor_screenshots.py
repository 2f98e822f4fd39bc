#!/usr/bin/env python3
"""Take the web editor's screenshots for the editor's guide (docs/images/editor/*.png).

Runs what `sunlight serve --audience internal --editor` runs, on a temporary Git copy of this
repository's content/ and site_config/, and drives headless Chromium through the steps the
guide walks through: sign in, the list of record types, a new rectification item being
filled in (with its preview), the preview's warnings, and a withdrawal.

Needs Node.js (npx runs decap-server), Debian's chromium and chromium-driver, and a Chinese
font (Debian: fonts-noto-cjk), plus the test dependencies (selenium).

    .venv/bin/python scripts/editor_screenshots.py            # writes docs/images/editor/
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import (NoAlertPresentException,  # noqa: E402
                                        UnexpectedAlertPresentException)
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from builder.commands.serve import Preview  # noqa: E402
from builder.pipeline import Deployment  # noqa: E402
from builder.stages.projection import Audience  # noqa: E402

OUT = ROOT / "docs" / "images" / "editor"
AS_OF = date(2024, 12, 1)   # fixed, so the screenshots do not change with the calendar


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
        for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                     ["-c", "user.name=demo", "-c", "user.email=demo@example.org", "commit",
                      "-qm", "demo"]):
            subprocess.run(["git", *args], cwd=root, check=True)
        preview = Preview(Deployment(root), Audience.INTERNAL, as_of=AS_OF, editor=True)
        try:
            preview.start_editor()
            host, port = preview.start("127.0.0.1", 0)
            built = preview.rebuild()          # the site's stylesheet, for the preview pane
            if built.error is not None:
                raise SystemExit(f"build failed: {built.error}")
            driver = Driver(f"http://{host}:{port}/editor/", Path(tmp) / "chromium")
            try:
                run(driver)
            finally:
                driver.d.quit()
        finally:
            preview.close()
    return 0


def run(b: Driver) -> None:
    b.d.get(b.url)
    b.wait.until(lambda d: d.find_elements(By.XPATH, "//button[contains(., '登录')]"))
    b.shot("01-login")
    b.click("登录")
    b.wait.until(lambda d: "整改事项" in d.find_element(By.TAG_NAME, "body").text)
    b.d.get(b.url + "#/collections/rectification")
    b.wait.until(lambda d: "ZG-2023-001" in d.find_element(By.TAG_NAME, "body").text)
    b.shot("02-collection")

    b.go("#/collections/rectification/new")
    b.type("标题", "补种林场苗木并建立养护台账")
    b.choose("对应问题", "WT-2023-001")
    b.choose("责任单位", "洛阳市林业局")
    b.date("交办日期", date(2024, 11, 20))
    b.date("整改期限", date(2025, 3, 31))
    b.type("联系人", "王芳 0379-12345678")
    b.shot("03-new-record")

    b.choose("状态", "已完成")
    b.shot("04-preview-warnings")

    b.go("#/collections/rectification/entries/ZG-2023-043")
    b.choose("状态", "已撤回")
    b.date("撤回日期", date(2024, 12, 1))
    b.type("撤回原因", "与 ZG-2023-042 重复登记，合并到该条办理。")
    b.shot("05-withdraw")


if __name__ == "__main__":
    sys.exit(main())
