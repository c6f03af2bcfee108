"""Notifications through Apprise, to a local ``json://`` target."""

from connect.notify import send


def test_a_notification_reaches_a_json_target(apprise_target):
    outcome = send("Downloaded: A S01E01", "german-dub from VOE", [apprise_target.apprise_url])

    assert outcome.ok
    assert outcome.message == "sent to 1 target"
    [message] = apprise_target.messages
    assert message["title"] == "Downloaded: A S01E01"
    assert message["message"] == "german-dub from VOE"
    assert message["type"] == "info"


def test_a_failing_target_is_named_and_worth_a_retry(apprise_target):
    apprise_target.fail_next()
    url = apprise_target.apprise_url

    outcome = send("T", "B", [url], "failure")

    assert not outcome.ok
    assert outcome.retryable == [url]
    assert "json://127.0.0.1" in outcome.message
    assert "500" in outcome.message or "failed" in outcome.message.lower()


def test_an_unknown_url_scheme_is_refused_without_retry(apprise_target):
    outcome = send("T", "B", ["nosuchservice://x/y", apprise_target.apprise_url])

    assert outcome.sent == 1
    assert outcome.failures == ["nosuchservice://…: not a URL Apprise understands"]
    assert outcome.retryable == []
    assert len(apprise_target.messages) == 1
