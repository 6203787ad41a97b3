"""The scale run's visitors, for locust (started headless by tests/scale/run.py):
readers, searchers, and commenters who log in (real sessions, real CSRF tokens) and
post now and then, within the site's own rate limit (FORUM_COMMENT_RATE, 5 a minute).

Every request is appended to SCALE_RECORDS as one JSON line (its start, duration,
status, error, the app server nginx chose, the commenter and the comment's marker):
run.py judges the run from those lines, not from locust's summary.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

import urllib3
from locust import HttpUser, between, events, task

# nginx's certificate is self-signed, made for the run.
urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)

CONFIG = json.loads(Path(os.environ["SCALE_ACCOUNTS"]).read_text())
HOST = "forum.example.org"
ORIGIN = f"https://{HOST}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SEARCHES = [
    "probation",
    "napo",
    "grayling",
    "prison",
    "chief officer",
    '"community rehabilitation"',
]
RECORDS = open(os.environ["SCALE_RECORDS"], "a", buffering=1)  # noqa: SIM115 (for the run)
ACCOUNTS = itertools.count()


@events.request.add_listener
def record(request_type, name, response_time, response, exception, context=None, **kwargs):
    start = kwargs.get("start_time") or time.time() - response_time / 1000
    line = {
        "t": start,
        "ms": response_time,
        "method": request_type,
        "name": name,
        "status": getattr(response, "status_code", 0) or 0,
        "error": repr(exception) if exception else None,
        "by": response.headers.get("X-Served-By") if response is not None else None,
        **(context or {}),
    }
    RECORDS.write(json.dumps(line) + "\n")


@events.test_start.add_listener
def started(environment, **kwargs):
    Path(os.environ["SCALE_STARTED"]).write_text(str(time.time()))


class Visitor(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.verify = False
        self.client.headers.update({"Host": HOST})

    def page(self, url: str, name: str) -> None:
        self.client.get(url, name=name)


class Reader(Visitor):
    fixed_count = int(os.environ["SCALE_READERS"])
    wait_time = between(0.5, 2)

    @task(4)
    def post(self) -> None:
        self.page(random.choice(CONFIG["posts"])["url"], "post page")

    @task(2)
    def home(self) -> None:
        self.page("/", "home")

    @task(1)
    def year(self) -> None:
        self.page(random.choice(CONFIG["posts"])["url"][:6], "year archive")

    @task(1)
    def feed(self) -> None:
        self.page("/feeds/posts/default", "feed")


class Searcher(Visitor):
    fixed_count = int(os.environ["SCALE_SEARCHERS"])
    wait_time = between(1, 3)

    @task
    def search(self) -> None:
        self.client.get("/search/", params={"q": random.choice(SEARCHES)}, name="search")


class Commenter(Visitor):
    """Logs in once, then every 14 to 18 s reads a post, comments on it and looks at
    their profile: a session that stops working shows up as a failed request."""

    fixed_count = int(os.environ["SCALE_COMMENTERS"])
    wait_time = between(14, 18)

    def on_start(self) -> None:
        super().on_start()
        accounts = CONFIG["commenters"]
        self.account = accounts[next(ACCOUNTS) % len(accounts)]
        self.who = {"user": self.account["email"]}
        self.logged_in = self.log_in()

    def log_in(self) -> bool:
        """As a person would, again on the next visit if it failed (its server died)."""
        form = self.client.get("/accounts/login/", name="login page", context=self.who)
        token = TOKEN.search(form.text or "")
        if token is None:
            return False
        with self.client.post(
            "/accounts/login/",
            data={
                "login": self.account["email"],
                "password": self.account["password"],
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": f"{ORIGIN}/accounts/login/", "Origin": ORIGIN},
            allow_redirects=False,
            catch_response=True,
            name="log in",
            context=self.who,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
                return False
        return True

    @task
    def comment(self) -> None:
        if not self.logged_in:
            self.logged_in = self.log_in()
            return
        post = random.choice(CONFIG["posts"])
        with self.client.get(
            post["url"], name="post page, logged in", catch_response=True, context=self.who
        ) as page:
            token = TOKEN.search(page.text or "")
            if "Log out" not in (page.text or "") or token is None:
                page.failure("logged out")
                return
        marker = f"scale-{uuid.uuid4().hex}"
        with self.client.post(
            f"/posts/{post['id']}/comment/",
            data={
                "body": f"A comment of the scale run, {marker}.",
                "anonymous": "on",
                "csrfmiddlewaretoken": token.group(1),
            },
            headers={"Referer": f"{ORIGIN}{post['url']}", "Origin": ORIGIN},
            allow_redirects=False,
            catch_response=True,
            name="post comment",
            context={**self.who, "marker": marker},
        ) as response:
            if response.status_code != 302 or post["url"] not in response.headers.get(
                "Location", ""
            ):
                response.failure(f"comment answered {response.status_code}")
        with self.client.get(
            "/profile/",
            name="profile",
            allow_redirects=False,
            catch_response=True,
            context=self.who,
        ) as profile:
            if profile.status_code != 200:
                profile.failure("logged out")
