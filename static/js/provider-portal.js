// Provider portal: the visit buttons of the agenda (confirm, decline, check-in, complete, no-show)
// are plain POST forms (providers.views.appointment_action) that work without JavaScript. Here
// they are enhanced: a submit calls /api/v1/appointments/{id}/{action}/ and updates the row in place.
import { announce, api, clearError, csrfToken, el, showError } from "./portal-common.js";

// What can happen next in each status (the same rule as appointments.services.VISIT_STEPS).
const ACTIONS = {
  requested: ["confirm", "decline"],
  booked: ["check-in", "complete", "no-show"],
  checked_in: ["complete"],
};
const BUTTON_TEXT = { confirm: "Confirm", decline: "Decline", "check-in": "Check in", complete: "Complete", "no-show": "No-show" };
const STATUS_TEXT = {
  requested: "Pending request", booked: "Booked", checked_in: "Checked in", completed: "Completed",
  cancelled: "Cancelled", no_show: "No-show",
};
const DONE_TEXT = {
  confirm: "Request confirmed.", decline: "Request declined.", "check-in": "Patient checked in.",
  complete: "Visit completed.", "no-show": "Marked as a no-show.",
};

const errors = document.getElementById("action-error");
const status = document.getElementById("action-status");

const CHECK_IN_OPENS_MS = 12 * 3600 * 1000;

// The same time rule as appointments.services.appointment_visit_steps.
function allowedNow(appointmentStatus, start) {
  const untilStart = new Date(start).getTime() - Date.now();
  return (ACTIONS[appointmentStatus] || []).filter((action) => {
    if (action === "check-in") return untilStart <= CHECK_IN_OPENS_MS;
    if (action === "complete" || action === "no-show") return untilStart <= 0;
    return true;
  });
}

// The same form as templates/providers/_agenda_item.html, so it also works if the script stops.
function actionForm(row, action, label) {
  const form = el("form", {
    method: "post",
    action: `/provider/appointments/${row.dataset.appointment}/${action}/`,
    class: "agenda__action",
    "data-action-form": "",
  });
  form.append(
    el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: csrfToken() }),
    el("input", { type: "hidden", name: "next", value: window.location.pathname + window.location.search }),
  );
  const button = el("button", {
    type: "submit",
    class: action === "decline" || action === "no-show" ? "button button--secondary" : "button",
    "data-action": action,
    "aria-label": `${BUTTON_TEXT[action]}: ${label}`,
    text: BUTTON_TEXT[action],
  });
  form.append(button);
  return form;
}

function renderButtons(row, appointmentStatus) {
  const box = row.querySelector("[data-actions]");
  const time = row.querySelector("time");
  const patientLink = row.querySelector("a");
  const label = [time ? time.textContent.trim() : "", patientLink ? patientLink.textContent.trim() : ""]
    .filter(Boolean)
    .join(", ");
  box.replaceChildren();
  for (const action of allowedNow(appointmentStatus, time ? time.getAttribute("datetime") : null)) {
    box.append(actionForm(row, action, label));
  }
}

async function run(form) {
  const row = form.closest("[data-appointment]");
  const button = form.querySelector("button[data-action]");
  const action = button.dataset.action;
  const body = form.elements.reason ? { reason: form.elements.reason.value } : {};
  clearError(errors);
  for (const other of row.querySelectorAll("[data-actions] button")) other.disabled = true;
  const { ok, data } = await api("POST", `/api/v1/appointments/${row.dataset.appointment}/${action}/`, body);
  if (!ok) {
    for (const other of row.querySelectorAll("[data-actions] button")) other.disabled = false;
    showError(errors, data);
    return;
  }
  const badge = row.querySelector("[data-status]");
  badge.textContent = STATUS_TEXT[data.status] || data.status;
  badge.className = `status status--${data.status}`;
  renderButtons(row, data.status);
  announce(status, DONE_TEXT[action] || "Done.");
  // Keep keyboard users in the row they worked on.
  const next = row.querySelector("[data-actions] button") || row.querySelector("a");
  if (next) next.focus();
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest("[data-actions] form[data-action-form]");
  if (!form) return;
  event.preventDefault();
  run(form);
});

const focusOnLoad = document.querySelector("[data-focus-on-load]");
if (focusOnLoad) focusOnLoad.focus();
