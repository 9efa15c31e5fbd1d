// Patient portal: progressive enhancement of the server-rendered pages, through /api/v1/.
import { announce, api, clearError, el, formatDateTime, setBusy, showError } from "./portal-common.js";

const API = "/api/v1";

function addDays(isoDate, days) {
  const [y, m, d] = isoDate.split("-").map(Number);
  const date = new Date(Date.UTC(y, m - 1, d + days));
  return date.toISOString().slice(0, 10);
}

// A calendar date (no time of day) as the server writes it: "Thu 10 Dec".
function shortDate(isoDate, options) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", ...options })
    .format(new Date(`${isoDate}T12:00:00Z`))
    .replace(",", "");
}

// --- Find a provider -------------------------------------------------------------------
function providerCard(provider) {
  const slot = provider.next_free_slot;
  const query = slot ? `?visit_type=${encodeURIComponent(slot.visit_type.id)}` : "";
  const href = `/patient/providers/${provider.id}/${query}`;
  const title = provider.credentials ? `${provider.display_name}, ${provider.credentials}` : provider.display_name;
  const meta = [provider.specialty ? provider.specialty.name : "", provider.location].filter(Boolean).join(" · ");
  const languages = `Languages: ${provider.languages.join(", ").toUpperCase()}`;
  const next = el("p", { class: "provider__next" });
  if (slot) {
    next.append(
      "Next free: ",
      el("time", {
        datetime: slot.start,
        text: formatDateTime(slot.start, provider.time_zone, {
          weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short",
        }),
      }),
      ` (${slot.visit_type.name}, ${provider.time_zone})`,
    );
  } else {
    next.textContent = "No free time in the next 30 days.";
  }
  const languageLine = el("p", { class: "provider__meta", text: languages });
  if (!provider.accepting_new_patients) {
    languageLine.append(" · ", el("strong", { text: "Not accepting new patients" }));
  }
  return el(
    "li",
    { class: "card provider" },
    el("h2", { class: "provider__name" }, el("a", { href, text: title })),
    el("p", { class: "provider__meta", text: meta }),
    languageLine,
    next,
    el("a", { class: "button button--secondary", href, "aria-label": `See available times with ${title}`, text: "See available times" }),
  );
}

function enhanceProviderSearch(form) {
  const results = document.getElementById("provider-results");
  const status = document.getElementById("search-status");
  const errors = document.getElementById("search-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(errors);
    const params = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (String(value).trim()) params.set(name, String(value).trim());
    }
    setBusy(form, true);
    announce(status, "Searching…");
    const { ok, data } = await api("GET", `${API}/providers/?${params}`);
    setBusy(form, false);
    if (!ok) {
      announce(status, "");
      showError(errors, data);
      return;
    }
    const providers = data.results || [];
    results.replaceChildren(...providers.map(providerCard));
    if (!providers.length) results.append(el("li", { class: "card", text: "No providers match your search." }));
    announce(status, `${data.count ?? providers.length} provider${providers.length === 1 ? "" : "s"} found.`);
    history.replaceState(null, "", `?${params}`);
  });
}

// --- Week of free slots ----------------------------------------------------------------
function enhanceSlots(controls) {
  const provider = controls.dataset.provider;
  const zone = controls.dataset.zone;
  const today = controls.dataset.today;
  const reschedule = controls.dataset.reschedule;
  const bookUrl = controls.dataset.bookUrl;
  const select = controls.querySelector("select[name=visit_type]");
  const weekInput = controls.querySelector("input[name=week]");
  const week = document.getElementById("week");
  const heading = document.getElementById("week-heading");
  const status = document.getElementById("slots-status");
  const errors = document.getElementById("slots-error");
  const prev = document.querySelector(".week-nav [rel=prev]");
  const next = document.querySelector(".week-nav [rel=next]");
  const waitlistForm = document.querySelector("[data-waitlist-join]");
  controls.querySelector("button[type=submit]").hidden = true;

  function pageUrl(start) {
    const params = new URLSearchParams({ visit_type: select.value, week: start });
    if (reschedule) params.set("reschedule", reschedule);
    return `?${params}`;
  }

  function renderWeek(start, slots) {
    const byDay = new Map();
    for (let n = 0; n < 7; n += 1) byDay.set(addDays(start, n), []);
    const dayKey = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
    for (const slot of slots) {
      const key = dayKey.format(new Date(slot.start));
      if (byDay.has(key)) byDay.get(key).push(slot);
    }
    const sections = [];
    for (const [day, daySlots] of byDay) {
      const section = el("section", { class: "day" }, el("h3", { class: "day__title", text: shortDate(day, { weekday: "short", day: "numeric", month: "short" }) }));
      if (daySlots.length) {
        const list = el("ul", { class: "slots" });
        for (const slot of daySlots) {
          const params = new URLSearchParams({ provider, visit_type: select.value, start: slot.start });
          if (reschedule) params.set("reschedule", reschedule);
          const label = formatDateTime(slot.start, zone, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit" });
          list.append(el("li", {}, el("a", { class: "slot", href: `${bookUrl}?${params}`, "aria-label": label },
            el("time", { datetime: slot.start, text: formatDateTime(slot.start, zone, { hour: "2-digit", minute: "2-digit" }) }))));
        }
        section.append(list);
      } else {
        section.append(el("p", { class: "day__none", text: "No free times" }));
      }
      sections.push(section);
    }
    week.replaceChildren(...sections);
  }

  function updateNav(start) {
    const end = addDays(start, 6);
    heading.textContent = `${shortDate(start, { day: "numeric", month: "short" })} – ${shortDate(end, { day: "numeric", month: "short", year: "numeric" })}`;
    weekInput.value = start;
    const previous = addDays(start, -7) >= today ? addDays(start, -7) : (start > today ? today : null);
    if (previous) {
      prev.setAttribute("href", pageUrl(previous));
      prev.dataset.week = previous;
      prev.removeAttribute("aria-disabled");
      prev.classList.remove("button--disabled");
    } else {
      prev.removeAttribute("href");
      delete prev.dataset.week;
      prev.setAttribute("aria-disabled", "true");
      prev.classList.add("button--disabled");
    }
    next.dataset.week = addDays(start, 7);
    next.setAttribute("href", pageUrl(addDays(start, 7)));
    if (waitlistForm) {
      waitlistForm.elements.visit_type.value = select.value;
      waitlistForm.elements.earliest_date.value = start;
      waitlistForm.elements.latest_date.value = end;
    }
  }

  async function load(start) {
    clearError(errors);
    announce(status, "Loading free times…");
    week.setAttribute("aria-busy", "true");
    const params = new URLSearchParams({ visit_type: select.value, start, end: addDays(start, 6) });
    const { ok, data } = await api("GET", `${API}/providers/${provider}/slots/?${params}`);
    week.setAttribute("aria-busy", "false");
    if (!ok) {
      announce(status, "");
      showError(errors, data);
      return;
    }
    renderWeek(start, data);
    updateNav(start);
    history.replaceState(null, "", pageUrl(start));
    announce(status, `${data.length} free time${data.length === 1 ? "" : "s"} this week.`);
    heading.focus();
  }

  for (const link of [prev, next]) {
    if (!link) continue;
    link.addEventListener("click", (event) => {
      if (!link.dataset.week || link.getAttribute("aria-disabled")) return;
      event.preventDefault();
      load(link.dataset.week);
    });
  }
  const policyNote = document.getElementById("policy-note");
  select.addEventListener("change", () => {
    if (policyNote) policyNote.hidden = select.selectedOptions[0].dataset.policy !== "request_only";
    load(weekInput.value);
  });
  controls.addEventListener("submit", (event) => {
    event.preventDefault();
    load(weekInput.value);
  });
}

function enhanceWaitlistJoin(form) {
  const errors = form.querySelector("[data-error]");
  const status = form.querySelector("[data-status]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(errors);
    setBusy(form, true);
    const body = {
      provider: form.elements.provider.value,
      visit_type: form.elements.visit_type.value,
      earliest_date: form.elements.earliest_date.value,
      latest_date: form.elements.latest_date.value,
    };
    const { ok, data } = await api("POST", `${API}/waitlist/`, body);
    setBusy(form, false);
    if (!ok) {
      showError(errors, data);
      return;
    }
    status.replaceChildren("You are on the waitlist. ", el("a", { href: "/patient/waitlist/", text: "See my waitlist" }));
    status.setAttribute("tabindex", "-1");
    status.focus();
  });
}

// --- Booking, rescheduling, cancelling ------------------------------------------------
function enhanceBooking(form) {
  const errors = document.getElementById("book-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(errors);
    setBusy(form, true);
    const reschedule = form.dataset.reschedule;
    const result = reschedule
      ? await api("POST", `${API}/appointments/${reschedule}/reschedule/`, { start: form.dataset.start })
      : await api("POST", `${API}/appointments/`, {
          provider: form.dataset.provider,
          visit_type: form.dataset.visitType,
          start: form.dataset.start,
          reason: form.elements.reason ? form.elements.reason.value : "",
        });
    if (!result.ok) {
      setBusy(form, false);
      showError(errors, result.data);
      return;
    }
    window.location.assign(`/patient/appointments/${result.data.id}/?done=1`);
  });
}

function enhanceCancel(form) {
  const errors = document.getElementById("appointment-error");
  const status = document.getElementById("appointment-status-msg");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(errors);
    setBusy(form, true);
    const { ok, data } = await api("POST", `${API}/appointments/${form.dataset.appointment}/cancel/`, {
      reason: form.elements.reason.value,
    });
    if (!ok) {
      setBusy(form, false);
      showError(errors, data);
      return;
    }
    const badge = document.getElementById("appointment-status");
    badge.textContent = "Cancelled";
    badge.className = "status status--cancelled";
    document.getElementById("change-section").remove();
    const success = el("div", { class: "alert alert--success", text: "Your appointment is cancelled." });
    badge.closest("[data-appointment-detail]").prepend(success);
    announce(status, "Your appointment is cancelled.");
    document.getElementById("appointment-heading").focus();
  });
}

// --- Waitlist: claim, leave, countdown ------------------------------------------------
function enhanceClaim(form) {
  const errors = document.getElementById("waitlist-error");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(errors);
    setBusy(form, true);
    const { ok, data } = await api("POST", `${API}/waitlist/offers/${form.dataset.offer}/claim/`, {
      reason: form.elements.reason.value,
    });
    if (!ok) {
      setBusy(form, false);
      showError(errors, data);
      return;
    }
    window.location.assign(`/patient/appointments/${data.id}/?done=1`);
  });
}

function enhanceLeave(form) {
  const errors = document.getElementById("waitlist-error");
  const status = document.getElementById("waitlist-status");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(errors);
    setBusy(form, true);
    const { ok, data } = await api("DELETE", `${API}/waitlist/${form.dataset.entry}/`);
    if (!ok) {
      setBusy(form, false);
      showError(errors, data);
      return;
    }
    form.closest("li").remove();
    announce(status, "You have left this waitlist.");
    document.getElementById("entries-heading").setAttribute("tabindex", "-1");
    document.getElementById("entries-heading").focus();
  });
}

function startCountdowns(nodes) {
  function tick() {
    const now = Date.now();
    for (const node of nodes) {
      const left = Math.max(0, Math.floor((new Date(node.dataset.countdown).getTime() - now) / 1000));
      if (left === 0) {
        node.textContent = "no time";
        const offer = node.closest("[data-offer]");
        if (offer) {
          for (const button of offer.querySelectorAll("button")) button.disabled = true;
          if (!offer.querySelector(".offer__expired")) {
            offer.append(el("p", { class: "offer__expired", role: "status", text: "This hold has expired." }));
          }
        }
        continue;
      }
      const minutes = Math.floor(left / 60);
      const seconds = String(left % 60).padStart(2, "0");
      node.textContent = `${minutes}:${seconds} min`;
    }
  }
  tick();
  setInterval(tick, 1000);
}

document.querySelectorAll("[data-provider-search]").forEach(enhanceProviderSearch);
document.querySelectorAll("[data-slot-controls]").forEach(enhanceSlots);
document.querySelectorAll("[data-waitlist-join]").forEach(enhanceWaitlistJoin);
document.querySelectorAll("[data-book-form]").forEach(enhanceBooking);
document.querySelectorAll("[data-cancel-form]").forEach(enhanceCancel);
document.querySelectorAll("[data-claim-form]").forEach(enhanceClaim);
document.querySelectorAll("[data-leave-form]").forEach(enhanceLeave);
const countdowns = document.querySelectorAll("[data-countdown]");
if (countdowns.length) startCountdowns([...countdowns]);

// After a full page load that reports a result or an error, start keyboard and screen reader
// users there.
const focusOnLoad = document.querySelector("[data-focus-on-load]");
if (focusOnLoad) focusOnLoad.focus();
