"""A deadline week (issue 13), for locust in headless mode: run it through ``bench/load.py``,
which makes the sessions, starts gunicorn and counts the writes afterwards.

70 % staff fill their sheet: a save every ~20 s (every field of the form sent, as a browser
does; one note changed to a unique marker), an evidence file with one save in five, and a
submit after 12 saves (one submit in five is double-clicked); 15 % reviewers open their queue
and sheets; 5 % scorers the round's board, ranking and sheets; 10 % clerks download PDFs and
the round's results.  Each staff account is used by one simulated user only.
BENCH_SAVE_EVERY and BENCH_SAVES_BEFORE_SUBMIT change the staff's pace (a short correctness run);
BENCH_SUBMIT_BY (seconds into the run) makes every staff member with a save submit after it.
"""

import itertools
import json
import os
import random
import re
import threading
import time
from pathlib import Path

from locust import HttpUser, between, events, task

PLAN = json.loads(Path(os.environ["BENCH_LOAD_PLAN"]).read_text(encoding="utf-8"))
# The deadline week's pace; a shorter correctness run may ask for a faster one.
SAVE_EVERY = float(os.environ.get("BENCH_SAVE_EVERY", "20"))
SAVES_BEFORE_SUBMIT = int(os.environ.get("BENCH_SAVES_BEFORE_SUBMIT", "12"))
# Seconds into the run after which a staff member with a save submits at its next turn, however
# slow the server has been: every run, even a short one on a busy machine, checks the submits.
SUBMIT_BY = float(os.environ.get("BENCH_SUBMIT_BY", "inf"))
_started = [time.monotonic()]
_counters = {role: itertools.count() for role in ("staff", "reviewer", "scorer", "clerk")}
_lock = threading.Lock()
RESULTS = {"saves": [], "submits": [], "double_submits": []}  # saves: [note marker, unit id]


def _account(role):
    with _lock:
        accounts = PLAN["accounts"][role]
        return accounts[next(_counters[role]) % len(accounts)]


class PortalUser(HttpUser):
    abstract = True
    role = ""

    def on_start(self):
        self.account = _account(self.role)
        self.client.cookies.set(PLAN["cookie_name"], self.account["session"])

    def page(self, path, name):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            return response


class Staff(PortalUser):
    weight = 70
    role = "staff"
    wait_time = between(SAVE_EVERY * 0.9, SAVE_EVERY * 1.1)

    def on_start(self):
        super().on_start()
        self.path = self.account["sheet"]
        self.saves = 0
        self.submitted = False
        self.values = {}
        self.read_form(self.page(self.path, "staff: sheet page").text)

    def read_form(self, html):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        version = re.search(r'name="version" value="(\d+)"', html)
        self.csrf = token.group(1) if token else ""
        self.version = version.group(1) if version else ""
        self.units = sorted(set(re.findall(r'name="grade-(\d+)"', html)))
        for pk in self.units:
            self.values.setdefault(pk, {"grade": "full", "note": ""})

    def form(self, action):
        data = {"csrfmiddlewaretoken": self.csrf, "version": self.version, "action": action}
        for pk, value in self.values.items():
            data.update({f"grade-{pk}": value["grade"], f"docs-{pk}": "on", f"note-{pk}": value["note"]})
        return data

    @task
    def fill(self):
        if self.submitted or not self.units:
            self.page(self.path, "staff: sheet page (submitted)")
            return
        if self.saves >= SAVES_BEFORE_SUBMIT or (self.saves and time.monotonic() - _started[0] > SUBMIT_BY):
            self.submit()
            return
        self.saves += 1
        unit = random.choice(self.units)
        marker = f"lc:{self.account['username']}:{self.saves}"
        self.values[unit] = {"grade": random.choice(["full", "basic", "none"]), "note": marker}
        files = None
        name = "staff: save"
        if self.saves % 5 == 0:
            files = {f"evidence-{unit}": ("evidence.pdf", b"%PDF-1.4\n% bench evidence\n%%EOF\n",
                                          "application/pdf")}
            name = "staff: save with evidence upload"
        with self.client.post(self.path + "fill/", data=self.form("save"), files=files, name=name,
                              headers={"Referer": self.client.base_url + self.path},
                              catch_response=True, allow_redirects=False) as response:
            if response.status_code == 302:
                RESULTS["saves"].append([marker, unit])
            else:
                response.failure(f"{response.status_code}")
        self.read_form(self.page(self.path, "staff: sheet page").text)

    def submit(self):
        twice = random.random() < 0.2
        data = self.form("submit")
        answers = []
        for _ in range(2 if twice else 1):
            with self.client.post(self.path + "fill/", data=data, name="staff: submit",
                                  headers={"Referer": self.client.base_url + self.path},
                                  catch_response=True, allow_redirects=False) as response:
                answers.append(response.status_code)
                if response.status_code != 302:
                    response.failure(f"{response.status_code}")
        if 302 in answers:
            RESULTS["submits"].append(self.account["username"])
            if twice:
                RESULTS["double_submits"].append(self.account["username"])
        self.submitted = True


class Reviewer(PortalUser):
    weight = 15
    role = "reviewer"
    wait_time = between(5, 15)

    @task
    def review(self):
        html = self.page("/assessment/", "reviewer: assessment queue").text
        sheets = re.findall(r'href="(/assessment/2026/[a-z0-9-]+/)(?:\?[^"]*)?"', html)
        if sheets:
            self.page(random.choice(sheets), "reviewer: sheet page")


class Scorer(PortalUser):
    weight = 5
    role = "scorer"
    wait_time = between(5, 15)

    @task(2)
    def board(self):
        self.page(PLAN["board"], "scorer: progress board")

    @task(1)
    def ranking(self):
        self.page(PLAN["board"] + "ranking/", "scorer: ranking")

    @task(2)
    def sheet(self):
        self.page(random.choice(PLAN["final_sheets"]) + "/", "scorer: sheet page")


class Clerk(PortalUser):
    weight = 10
    role = "clerk"
    wait_time = between(5, 15)

    @task(6)
    def sheet_pdf(self):
        self.page(random.choice(PLAN["final_sheets"]) + ".pdf", "clerk: sheet PDF")

    @task(2)
    def catalogue_pdf(self):
        self.page(random.choice(PLAN["catalogues"]) + ".pdf", "clerk: catalogue PDF")

    @task(1)
    def results(self):
        # A round of 5,000 sheets: the spreadsheet is a job; the answer is its page (/jobs/<id>/).
        path = PLAN["board"] + "results.xlsx"
        with self.client.get(path, name="clerk: round results xlsx (starts a job)", catch_response=True,
                             allow_redirects=False) as response:
            if response.status_code not in (200, 302) or (
                    response.status_code == 302 and "/jobs/" not in response.headers.get("Location", "")):
                response.failure(f"{response.status_code}")


@events.test_start.add_listener
def _start_clock(environment, **_kwargs):
    _started[0] = time.monotonic()


@events.test_stop.add_listener
def _write_results(environment, **_kwargs):
    out = os.environ["BENCH_LOAD_RESULTS"]
    Path(out).write_text(json.dumps(RESULTS), encoding="utf-8")
