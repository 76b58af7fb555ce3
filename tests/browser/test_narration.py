"""The narration control in headless Chromium, with a recording speechSynthesis stub.

Headless Chromium has no speech voices, so an init script replaces
``window.speechSynthesis`` and ``SpeechSynthesisUtterance`` before the app loads. The stub
records every call in ``window.__speechCalls`` and offers a French default voice and an
English one, so the tests also see which voice the player picks.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from tests.browser.app_utils import assert_no_exception, open_page, wait_for_app

_STUB_TEMPLATE = """
(() => {
  const calls = [];
  window.__speechCalls = calls;
  const voices = %(voices)s;
  const synth = {
    speaking: false,
    pending: false,
    paused: false,
    getVoices() { return voices; },
    speak(utterance) {
      calls.push({ method: "speak", text: utterance.text, rate: utterance.rate,
                   lang: utterance.lang, voice: utterance.voice ? utterance.voice.name : null });
      this.speaking = true;
    },
    pause() { calls.push({ method: "pause" }); this.paused = true; },
    resume() { calls.push({ method: "resume" }); this.paused = false; },
    cancel() { calls.push({ method: "cancel" }); this.speaking = false; },
    addEventListener() {},
    removeEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
  window.SpeechSynthesisUtterance = function (text) {
    this.text = text;
    this.lang = "";
    this.rate = 1;
    this.voice = null;
  };
})();
"""
VOICES = [
    {"name": "Stub French", "lang": "fr-FR", "localService": True, "default": True},
    {"name": "Stub English", "lang": "en-US", "localService": True, "default": False},
]
SPEECH_STUB = _STUB_TEMPLATE % {"voices": json.dumps(VOICES)}
NO_VOICE_STUB = _STUB_TEMPLATE % {"voices": "[]"}
NO_SPEECH_STUB = """
delete Window.prototype.speechSynthesis;
delete window.speechSynthesis;
delete window.SpeechSynthesisUtterance;
"""

# URL path with its query, page id, and the spoken phrase with the key number for those inputs.
PAGES = [
    pytest.param("", "home", None, id="home"),
    pytest.param("ab_sample_size", "ab_sample_size", "4,438 users per variant", id="ab_sample_size"),
    pytest.param("ab_peeking", "ab_peeking", "That is 168 looks at the p-value", id="ab_peeking"),
    pytest.param("ab_analyze", "ab_analyze", "treatment B at 13.2 percent", id="ab_analyze"),
    pytest.param(
        "fraud_threshold", "fraud_threshold", "At your threshold of 0.5, the model flags", id="fraud_threshold"
    ),
    pytest.param(
        "fraud_design_steps", "fraud_design_steps_1", "It carries about 40,024 transactions a day",
        id="fraud_design_steps_1",
    ),
    pytest.param(
        "fraud_design_steps?step=6&threshold=0.3", "fraud_design_steps_6",
        "At that threshold, precision is 48.2 percent", id="fraud_design_steps_6",
    ),
    pytest.param(
        "fraud_live_scoring", "fraud_live_scoring", "a fraud score of 0.0777, that is a 7.77 percent chance",
        id="fraud_live_scoring",
    ),
    pytest.param(
        "fraud_live_scoring?amount=20&international=Yes&hour=03:00", "fraud_live_scoring",
        "a fraud score of 0.533, that is a 53.3 percent chance", id="fraud_live_scoring-changed",
    ),
]
# The player waits this long for voices before it reports that there are none.
VOICE_WAIT_MS = 2000


def _control(page: Page, page_id: str):
    return page.locator(f"#narration-{page_id}")


def _button(page: Page, page_id: str, role: str):
    return _control(page, page_id).locator(f'[data-narration-role="{role}"]')


def _calls(page: Page) -> list[dict]:
    return page.evaluate("window.__speechCalls")


def _methods(page: Page) -> list[str]:
    return [call["method"] for call in _calls(page)]


def _spoken_text(page: Page) -> str:
    """Join the utterances queued since the last cancel(), the text that is being read."""
    calls = _calls(page)
    last_cancel = max((index for index, call in enumerate(calls) if call["method"] == "cancel"), default=-1)
    return " ".join(call["text"] for call in calls[last_cancel + 1 :] if call["method"] == "speak")


def _open_with_stub(page: Page, app_url: str, path: str, stub: str = SPEECH_STUB) -> None:
    page.add_init_script(stub)
    open_page(page, app_url, path)
    assert_no_exception(page)


def _home_key_phrase(page: Page) -> str:
    # The home script counts the pages in the navigation menu besides the home page.
    from core.narration import render_script

    n_pages = page.locator('[data-testid="stSidebarNavLink"]').count() - 1
    return render_script("{n:count_words:page} besides this one", {"n": n_pages}).strip()


@pytest.mark.parametrize(("path", "page_id", "key_phrase"), PAGES)
def test_play_speaks_page_text(page, app_url, path, page_id, key_phrase):
    _open_with_stub(page, app_url, path)
    if key_phrase is None:
        key_phrase = _home_key_phrase(page)
    expect(_control(page, page_id)).to_have_attribute("data-state", "idle")

    _button(page, page_id, "play").click()

    expect(_control(page, page_id)).to_have_attribute("data-state", "playing")
    methods = _methods(page)
    assert methods[0] == "cancel"
    assert methods[1] == "speak"
    spoken = _spoken_text(page)
    assert key_phrase in spoken
    speaks = [call for call in _calls(page) if call["method"] == "speak"]
    assert {call["voice"] for call in speaks} == {"Stub English"}
    assert {call["lang"] for call in speaks} == {"en-US"}


@pytest.mark.parametrize(("path", "page_id", "key_phrase"), PAGES)
def test_transcript_matches_speech(page, app_url, path, page_id, key_phrase):
    _open_with_stub(page, app_url, path)
    if key_phrase is None:
        key_phrase = _home_key_phrase(page)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Transcript")
    expander.locator("summary").click()
    expect(expander).to_contain_text(key_phrase)


def test_play_speaks_changed_number(page, app_url):
    _open_with_stub(page, app_url, "ab_sample_size")
    mde = page.get_by_role("spinbutton", name="Min detectable effect (MDE)")
    mde.fill("1")
    mde.press("Enter")
    wait_for_app(page)

    _button(page, "ab_sample_size", "play").click()

    spoken = _spoken_text(page)
    assert "17,169 users per variant" in spoken
    assert "4,438" not in spoken


def test_design_step_change_speaks_new_step(page, app_url):
    _open_with_stub(page, app_url, "fraud_design_steps")
    page.get_by_role("button", name="2 Frame →").click()
    wait_for_app(page)

    expect(_control(page, "fraud_design_steps_1")).to_have_count(0)
    _button(page, "fraud_design_steps_2", "play").click()

    spoken = _spoken_text(page)
    assert "Of the blocked transactions, 63.2 percent are fraud" in spoken
    assert "40,024" not in spoken


def test_pause_resume_stop_call_api(page, app_url):
    _open_with_stub(page, app_url, "ab_sample_size")
    control = _control(page, "ab_sample_size")
    pause = _button(page, "ab_sample_size", "pause")
    _button(page, "ab_sample_size", "play").click()

    pause.click()
    assert _methods(page)[-1] == "pause"
    expect(control).to_have_attribute("data-state", "paused")
    expect(pause).to_have_text("Resume")

    pause.click()
    assert _methods(page)[-1] == "resume"
    expect(control).to_have_attribute("data-state", "playing")
    expect(pause).to_have_text("Pause")

    _button(page, "ab_sample_size", "stop").click()
    assert _methods(page)[-1] == "cancel"
    expect(control).to_have_attribute("data-state", "idle")
    expect(pause).to_be_disabled()


def test_speed_change_requeues_at_new_rate(page, app_url):
    _open_with_stub(page, app_url, "ab_sample_size")
    _button(page, "ab_sample_size", "play").click()

    _button(page, "ab_sample_size", "rate").select_option("1.5")

    calls = _calls(page)
    last_cancel = max(index for index, call in enumerate(calls) if call["method"] == "cancel")
    requeued = [call for call in calls[last_cancel + 1 :] if call["method"] == "speak"]
    assert requeued
    assert {call["rate"] for call in requeued} == {1.5}


def test_leaving_page_stops_speech(page, app_url):
    _open_with_stub(page, app_url, "ab_sample_size")
    _button(page, "ab_sample_size", "play").click()
    cancels_before = _methods(page).count("cancel")

    page.locator('[data-testid="stSidebarNavLink"]').filter(has_text="Home").click()
    wait_for_app(page)

    page.wait_for_function(
        f"window.__speechCalls.filter(c => c.method === 'cancel').length > {cancels_before}",
        timeout=5000,
    )


def test_no_voices_points_to_transcript(page, app_url):
    _open_with_stub(page, app_url, "ab_sample_size", NO_VOICE_STUB)
    control = _control(page, "ab_sample_size")

    expect(control).to_have_attribute("data-state", "novoices", timeout=VOICE_WAIT_MS + 5000)
    expect(control).to_contain_text("no speech voices")
    expect(control).to_contain_text("transcript")
    expect(_button(page, "ab_sample_size", "play")).to_be_disabled()


def test_no_speech_api_points_to_transcript(page, app_url):
    _open_with_stub(page, app_url, "ab_sample_size", NO_SPEECH_STUB)
    control = _control(page, "ab_sample_size")

    expect(control).to_have_attribute("data-state", "unsupported")
    expect(control).to_contain_text("cannot read text aloud")
    expect(control).to_contain_text("transcript")
    expect(_button(page, "ab_sample_size", "play")).to_be_disabled()


def test_rerender_keeps_playing_state(page, app_url):
    _open_with_stub(page, app_url, "ab_sample_size")
    _button(page, "ab_sample_size", "play").click()
    _control(page, "ab_sample_size").evaluate("element => { element.dataset.old = 'yes'; }")
    mde = page.get_by_role("spinbutton", name="Min detectable effect (MDE)")
    mde.fill("1")
    mde.press("Enter")
    wait_for_app(page)

    # The control is drawn anew with the new numbers while the old text is still spoken.
    expect(_control(page, "ab_sample_size")).not_to_have_attribute("data-old", "yes")
    expect(_control(page, "ab_sample_size")).to_have_attribute("data-state", "playing")
    expect(_button(page, "ab_sample_size", "stop")).to_be_enabled()
    _button(page, "ab_sample_size", "play").click()
    assert "17,169 users per variant" in _spoken_text(page)
