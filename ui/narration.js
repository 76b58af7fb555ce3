// Narration player for the "▶ Narration" control that ui/narration.py renders.
//
// ui/narration.py inlines this file into st.html as the body of a function that it
// calls with a JSON config: {rootId, pageId, chunks}. Streamlit runs the script again
// each time the control is rendered with a new text. So the player is created once
// per browser tab and kept on window, and every rendered control attaches to it.
//
// Streamlit sanitizes st.html with DOMPurify, which drops a whole script element whose
// text contains a less-than sign directly followed by a letter, a slash or "!".
// Write comparisons with spaces around the operator.
(function (config) {
  "use strict";

  var PLAYER_KEY = "__streamlitNarrationPlayer1";
  var RATE_KEY = "narration-rate";
  // Wait this long for the browser to load its voice list before saying it has none.
  var VOICE_WAIT_MS = 2000;
  // Stop speaking when the page that started the narration has been gone this long,
  // which is longer than a rerun takes to replace the control.
  var WATCH_MS = 500;
  var MISSING_TICKS = 3;
  var IDLE_TICKS = 4;

  var MESSAGES = {
    unsupported: "This browser cannot read text aloud. The transcript below has the full text.",
    novoices: "This browser has no speech voices installed, so narration cannot play. " +
      "The transcript below has the full text.",
    playing: "Playing",
    paused: "Paused",
    error: "Speech stopped with an error: "
  };

  var root = document.getElementById(config.rootId);
  if (!root) {
    return;
  }
  var player = window[PLAYER_KEY];
  if (!player) {
    player = createPlayer();
    window[PLAYER_KEY] = player;
  }
  player.mount(root, config);

  function createPlayer() {
    var synth = "speechSynthesis" in window ? window.speechSynthesis : null;
    var Utterance = window.SpeechSynthesisUtterance;
    var supported = Boolean(synth) && typeof Utterance === "function";
    var controls = [];
    var state = {
      owner: null,
      chunks: [],
      index: 0,
      rate: readRate(),
      active: false,
      paused: false,
      rateChanged: false,
      generation: 0,
      utterances: [],
      error: "",
      voicesWaited: false,
      watch: null,
      missingTicks: 0,
      idleTicks: 0
    };

    if (supported) {
      waitForVoices();
    }

    function readRate() {
      try {
        var rate = parseFloat(window.localStorage.getItem(RATE_KEY));
        return rate > 0 ? rate : 1;
      } catch (error) {
        return 1;
      }
    }

    function saveRate(rate) {
      try {
        window.localStorage.setItem(RATE_KEY, String(rate));
      } catch (error) {
        // Storage can be blocked (private mode, sandbox), and then the rate lasts for this tab.
      }
    }

    function voices() {
      try {
        return synth.getVoices() || [];
      } catch (error) {
        return [];
      }
    }

    function waitForVoices() {
      var onChange = function () {
        refresh();
      };
      if (typeof synth.addEventListener === "function") {
        synth.addEventListener("voiceschanged", onChange);
      } else {
        synth.onvoiceschanged = onChange;
      }
      // Chrome returns an empty list at first, loads it asynchronously and then fires
      // voiceschanged.
      voices();
      window.setTimeout(function () {
        state.voicesWaited = true;
        refresh();
      }, VOICE_WAIT_MS);
    }

    // Prefer the browser's default voice when it is English, then local voices, which
    // work offline, then US and British English.
    function englishVoice() {
      var best = null;
      var bestScore = 0;
      voices().forEach(function (voice) {
        var lang = String(voice.lang || "").replace("_", "-").toLowerCase();
        if (lang.indexOf("en") !== 0) {
          return;
        }
        var score = 1;
        if (lang === "en-us") {
          score += 2;
        } else if (lang === "en-gb") {
          score += 1;
        }
        if (voice.localService) {
          score += 2;
        }
        if (voice.default) {
          score += 4;
        }
        if (score > bestScore) {
          best = voice;
          bestScore = score;
        }
      });
      return best;
    }

    function availability() {
      if (!supported) {
        return "unsupported";
      }
      if (voices().length === 0 && state.voicesWaited) {
        return "novoices";
      }
      return "ready";
    }

    function makeUtterance(generation, index, voice) {
      var utterance = new Utterance(state.chunks[index]);
      utterance.lang = voice ? voice.lang : "en-US";
      if (voice) {
        utterance.voice = voice;
      }
      utterance.rate = state.rate;
      utterance.onstart = function () {
        if (generation === state.generation) {
          state.index = index;
        }
      };
      utterance.onend = function () {
        if (index === state.chunks.length - 1) {
          finish(generation);
        }
      };
      utterance.onerror = function (event) {
        var reason = event && event.error ? event.error : "unknown";
        // Cancelling a queue reports "interrupted" or "canceled" for every utterance in it.
        if (reason === "interrupted" || reason === "canceled") {
          return;
        }
        if (generation === state.generation) {
          state.error = MESSAGES.error + reason + ". The transcript below has the full text.";
        }
        finish(generation);
      };
      return utterance;
    }

    // Queue every remaining sentence at once, and the browser speaks them in order.
    // Short utterances avoid Chrome's reported cut-off of long ones after about 15 seconds.
    function speakFrom(start) {
      var generation = state.generation;
      var voice = englishVoice();
      state.utterances = [];
      for (var index = start; index < state.chunks.length; index += 1) {
        var utterance = makeUtterance(generation, index, voice);
        // Keep a reference, because Chrome has been reported to skip the end event of an
        // utterance that was garbage collected.
        state.utterances.push(utterance);
        synth.speak(utterance);
      }
    }

    // The paused state outlives cancel() and would hold back the next queue (MDN,
    // SpeechSynthesis.paused), so resume first.
    function cancelQueue() {
      state.generation += 1;
      if (synth.paused) {
        synth.resume();
      }
      synth.cancel();
    }

    function play(control) {
      if (!supported) {
        return;
      }
      // cancel() also stops narration that another page started.
      cancelQueue();
      state.owner = control.pageId;
      state.chunks = control.chunks.slice();
      state.index = 0;
      state.active = state.chunks.length > 0;
      state.paused = false;
      state.rateChanged = false;
      state.error = "";
      speakFrom(0);
      startWatch();
      refresh();
    }

    function pause() {
      if (!state.active || state.paused) {
        return;
      }
      synth.pause();
      state.paused = true;
      refresh();
    }

    function resume() {
      if (!state.active || !state.paused) {
        return;
      }
      synth.resume();
      state.paused = false;
      if (state.rateChanged) {
        restartAtCurrentSentence();
      }
      refresh();
    }

    function stop() {
      cancelQueue();
      state.active = false;
      state.paused = false;
      stopWatch();
      refresh();
    }

    function finish(generation) {
      if (generation !== state.generation) {
        return;
      }
      state.active = false;
      state.paused = false;
      stopWatch();
      refresh();
    }

    // An utterance's rate is fixed once queued, so a new speed restarts the sentence.
    function restartAtCurrentSentence() {
      state.rateChanged = false;
      cancelQueue();
      speakFrom(state.index);
    }

    function setRate(rate) {
      if (!(rate > 0)) {
        return;
      }
      state.rate = rate;
      saveRate(rate);
      if (state.active && state.paused) {
        state.rateChanged = true;
      } else if (state.active) {
        restartAtCurrentSentence();
      }
      refresh();
    }

    function startWatch() {
      stopWatch();
      state.missingTicks = 0;
      state.idleTicks = 0;
      state.watch = window.setInterval(tick, WATCH_MS);
    }

    function stopWatch() {
      if (state.watch !== null) {
        window.clearInterval(state.watch);
        state.watch = null;
      }
    }

    // Stop when the user leaves the page that is speaking, and catch the end of
    // speech when a browser drops the last end event.
    function tick() {
      if (!state.active) {
        stopWatch();
        return;
      }
      var present = controls.some(function (control) {
        return control.root.isConnected && control.pageId === state.owner;
      });
      state.missingTicks = present ? 0 : state.missingTicks + 1;
      if (state.missingTicks >= MISSING_TICKS) {
        stop();
        return;
      }
      var idle = !synth.speaking && !synth.pending && !state.paused;
      state.idleTicks = idle ? state.idleTicks + 1 : 0;
      if (state.idleTicks >= IDLE_TICKS) {
        finish(state.generation);
      }
    }

    function closestRateOption(select) {
      var best = null;
      Array.prototype.forEach.call(select.options, function (option) {
        var distance = Math.abs(parseFloat(option.value) - state.rate);
        if (best === null || distance < best.distance) {
          best = { value: option.value, distance: distance };
        }
      });
      return best ? best.value : "1";
    }

    function refresh() {
      controls = controls.filter(function (control) {
        return control.root.isConnected;
      });
      var available = availability();
      controls.forEach(function (control) {
        var owns = state.active && state.owner === control.pageId;
        var mode = "idle";
        if (available !== "ready") {
          mode = available;
        } else if (owns) {
          mode = state.paused ? "paused" : "playing";
        }
        var message = mode === "idle" ? "" : MESSAGES[mode];
        if (state.error && state.owner === control.pageId && !owns) {
          message = state.error;
        }
        control.root.setAttribute("data-state", mode);
        control.play.disabled = available !== "ready";
        control.rate.disabled = available !== "ready";
        control.pause.disabled = !owns;
        control.pause.textContent = owns && state.paused ? "Resume" : "Pause";
        control.pause.setAttribute("aria-pressed", owns && state.paused ? "true" : "false");
        control.stop.disabled = !owns;
        control.rate.value = closestRateOption(control.rate);
        control.status.textContent = message;
      });
    }

    function mount(rootElement, mountConfig) {
      var find = function (role) {
        return rootElement.querySelector('[data-narration-role="' + role + '"]');
      };
      var control = {
        root: rootElement,
        pageId: mountConfig.pageId,
        chunks: mountConfig.chunks,
        play: find("play"),
        pause: find("pause"),
        stop: find("stop"),
        rate: find("rate"),
        status: find("status")
      };
      control.play.addEventListener("click", function () {
        play(control);
      });
      control.pause.addEventListener("click", function () {
        if (state.paused) {
          resume();
        } else {
          pause();
        }
      });
      control.stop.addEventListener("click", stop);
      control.rate.addEventListener("change", function () {
        setRate(parseFloat(control.rate.value));
      });
      controls.push(control);
      refresh();
    }

    return { mount: mount };
  }
})
