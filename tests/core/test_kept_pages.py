"""Pages kept for the same reader until anything is saved (pagecache): never behind a change, never
someone else's, and their forms still post."""

from datetime import timedelta

import pytest
from sqlalchemy import delete, inspect, select, update

from balint_online.accounts.models import SignIn, User
from balint_online.core.clock import now
from balint_online.enrollment.models import Application
from balint_online.extensions import db
from balint_online.pagecache.models import DataVersion
from balint_online.series.models import Series
from tests.browser import page_text
from tests.conftest import make_app
from tests.enrollment.test_concurrency import fire, token_for
from tests.factories import ATTESTATION, apply, published_series
from tests.live import live_server
from tests.statements import statements_of

PASSWORD = "correct horse battery"


def browser(app, user):
    """A browser of its own, signed in as `user`, its welcome shown (a page showing a message is not kept)."""
    client = app.test_client()
    email = db.session.scalar(select(User.email).where(User.id == inspect(user).identity[0]))
    assert client.submit("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302
    assert "Welcome back" in page_text(client.get("/account"))
    return client


def answered(client, path):
    """(page, statements its request sent)."""
    pages = []

    def ask():
        pages.append(client.get(path))
        pages[0].get_data()  # a streamed download does its reading as it is sent

    sent = statements_of(ask)
    assert pages[0].status_code == 200, path
    return pages[0], sent


def version() -> int:
    return db.session.scalar(select(DataVersion.value))


def test_a_page_asked_for_again_is_the_same_page_for_one_statement(app, make_user, admin):
    make_user(name="Greta Visitor")
    client = browser(app, admin)
    first, built = answered(client, "/admin/people?q=greta")
    again, kept = answered(client, "/admin/people?q=greta")
    assert "Greta Visitor" in page_text(first) and again.data == first.data
    assert len(built) > 1 and len(kept) == 1  # the sign-in, which reads the data version along
    assert again.headers["Cache-Control"] == "no-store"  # kept here, never by the browser


def watched_application(app, api, make_user):
    """Mona Member's application, Mona, her application's roster and its leader's browser."""
    leader, member = make_user("leader"), make_user(name="Mona Member")
    series = published_series(api(leader))
    application = apply(api(member), series["id"])
    return application, member, f"/lead/series/{series['id']}/applications", browser(app, leader)


def test_a_change_saved_anywhere_shows_at_once(app, api, make_user):
    application, member, roster, leading = watched_application(app, api, make_user)
    assert len(answered(leading, roster)[1]) > 1
    waiting = answered(leading, roster)
    assert "Awaiting your decision (1)" in page_text(waiting[0]) and len(waiting[1]) == 1

    # The member withdraws in their own browser: the leader's roster says so on its next view.
    own = browser(app, member)
    assert own.submit(f"/applications/{application['id']}/withdraw", {"reason": "Plans changed."},
                      page=f"/applications/{application['id']}/withdraw").status_code in (302, 303)
    page = page_text(answered(leading, roster)[0])
    assert "Withdrawn (1)" in page and "Awaiting your decision" not in page


def test_a_change_saved_by_another_process_shows_at_once(app, make_user, admin):
    greta_id = make_user(name="Greta Visitor").id
    client = browser(app, admin)
    answered(client, "/admin/people?q=greta")
    other = make_app(app.config["SQLALCHEMY_DATABASE_URI"])  # another worker: its own memory, the same database
    with other.app_context():
        db.session.execute(update(User).where(User.id == greta_id).values(name="Greta Renamed"))
        db.session.commit()
        db.engine.dispose()
    page = page_text(answered(client, "/admin/people?q=greta")[0])
    assert "Greta Renamed" in page and "Greta Visitor" not in page


def test_a_page_follows_the_clock_within_its_span(app, clock, api, make_user):
    leader = make_user("leader")
    series = published_series(api(leader), title="Starting soon")
    starts = db.session.get(Series, series["id"]).meetings[0].starts_at
    clock.set(starts - timedelta(seconds=1))
    visitor = app.test_client()
    assert "Starting soon" in page_text(visitor.get("/"))
    # The first visits set the visitor's session up (its form token): the page is kept once it is settled.
    visitor.get("/"), visitor.get("/")
    assert len(answered(visitor, "/")[1]) == 1  # kept: its one statement reads the data version
    # The group begins with nothing saved: the catalogue stops offering it within the span.
    clock.set(starts + timedelta(seconds=app.config["PAGE_CACHE_SECONDS"]))
    assert "Starting soon" not in page_text(visitor.get("/"))


def test_readers_never_share_a_page_and_its_forms_post(app, make_user, admin):
    ann, bo = make_user(name="Ann Member"), make_user(name="Bo Member")
    anns, bos = browser(app, ann), browser(app, bo)
    for _ in range(2):
        assert "Ann Member" in page_text(anns.get("/home")) and "Bo Member" not in page_text(anns.get("/home"))
        assert "Bo Member" in page_text(bos.get("/home")) and "Ann Member" not in page_text(bos.get("/home"))

    # The same person in two browsers: each page carries its own browser's form token, and posts.
    first, second = browser(app, admin), browser(app, admin)
    tokens = [b.form("/sign-out", page="/admin/")["csrf_token"] for b in (first, second, first)]
    assert tokens[0] == tokens[2] != tokens[1]
    assert first.submit("/sign-out", page="/admin/").status_code == 302
    assert second.get("/admin/").status_code == 200 and first.get("/admin/").status_code == 302


def test_a_message_is_shown_once_on_the_page_it_leads_to(app, api, make_user):
    application, _, roster, leading = watched_application(app, api, make_user)
    answered(leading, roster)
    answered(leading, roster)  # kept
    done = leading.submit(f"/lead/applications/{application['id']}/accept", page=roster)
    assert done.status_code == 302
    assert "Mona Member is enrolled and has been emailed." in page_text(leading.get(roster))
    assert "is enrolled and has been emailed" not in page_text(leading.get(roster))


def test_a_download_is_kept_whole(app, api, make_user):
    leader = make_user("leader")
    series = published_series(api(leader))
    apply(api(make_user(name="Mona Member")), series["id"])
    client = browser(app, leader)
    path = f"/lead/series/{series['id']}/roster.csv"
    first, _ = answered(client, path)
    again, kept = answered(client, path)
    assert "Mona Member" in first.get_data(as_text=True) and again.data == first.data and len(kept) == 1
    assert again.headers["Content-Disposition"] == first.headers["Content-Disposition"]
    assert again.mimetype == "text/csv"


def test_with_no_span_every_page_is_built(app, make_user, admin):
    app.config["PAGE_CACHE_SECONDS"] = 0
    client = browser(app, admin)
    assert all(len(answered(client, "/admin/people")[1]) > 1 for _ in range(2))


def test_the_version_moves_with_every_change_saved_and_only_then(app, clock, api, make_user):
    leader, member = make_user("leader"), make_user()
    member_id = member.id
    series = published_series(api(leader))
    client = browser(app, member)
    start = version()
    client.get("/home")
    client.get("/calendar")
    assert version() == start  # reading saves nothing
    clock.set(now() + timedelta(minutes=5))
    assert client.get("/home").status_code == 200  # the browser's last sight noted: no kept page shows it
    assert version() == start

    db.session.get(User, member_id).name = "Renamed"
    db.session.flush()
    db.session.rollback()
    assert version() == start  # undone: nothing saved
    db.session.execute(delete(SignIn).where(SignIn.expires_at < now() - timedelta(days=400)))
    db.session.commit()
    assert version() == start  # a sweep that found nothing to delete
    db.session.execute(update(User).where(User.id == member_id).values(name="Renamed"))
    db.session.commit()
    assert version() == start + 1  # a statement
    apply(api(member), series["id"])
    assert version() > start + 1  # flushes


def test_a_savepoint_leaves_the_raise_to_its_transactions_commit(app, make_user):
    member_id = make_user().id

    def save():
        with db.session.begin_nested():
            db.session.get(User, member_id).name = "Renamed"
        db.session.execute(update(User).where(User.id == member_id).values(discipline="psychologist"))
        db.session.commit()

    start = version()
    sent = statements_of(save)
    raises = [n for n, statement in enumerate(sent) if statement.startswith("UPDATE data_version")]
    assert raises == [len(sent) - 1] and version() == start + 1


@pytest.mark.parametrize("saving", ["flush", "statement"])
def test_the_version_is_the_last_row_a_commit_locks(app, make_user, saving):
    member_id = make_user().id

    def save():
        if saving == "flush":
            db.session.get(User, member_id).name = "Renamed"
        else:
            db.session.execute(update(Application).where(Application.user_id == member_id).values(note=""))
            db.session.execute(update(User).where(User.id == member_id).values(name="Renamed"))
        db.session.commit()

    sent = statements_of(save)
    assert sent[-1].startswith("UPDATE data_version SET value=(data_version.value +")


def test_simultaneous_changes_all_commit_and_all_show(app, api, make_user):
    """Every writing transaction raises the one version row last, just before it commits: simultaneous
    writers queue there for a commit's length, none waits in a circle, and none is missed."""
    leader = make_user("leader")
    series = published_series(api(leader))
    members = [make_user(name=f"Rush {n:02d}") for n in range(10)]
    tokens = [token_for(member) for member in members]
    roster = f"/lead/series/{series['id']}/applications"
    leading = browser(app, leader)
    answered(leading, roster)
    assert len(answered(leading, roster)[1]) == 1  # kept before the rush
    before = version()
    with live_server(app) as base:
        codes = fire(f"{base}/api/v1/series/{series['id']}/applications",
                     [(token, {"trainee": False, "attestation": ATTESTATION}) for token in tokens])
    assert codes == [201] * 10
    assert version() >= before + 10
    assert "Awaiting your decision (10)" in page_text(answered(leading, roster)[0])
