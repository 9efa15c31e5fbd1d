// Provider portal: the visit buttons of the agenda (confirm, decline, check-in, complete, no-show)
// call /api/v1/appointments/{id}/{action}/ and update the row in place.
import { announce, api, clearError, showError } from "./portal-common.js";

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

function renderButtons(row, appointmentStatus) {
  const box = row.querySelector("[data-actions]");
  const time = row.querySelector("time");
  const patientLink = row.querySelector("a");
  const label = [time ? time.textContent.trim() : "", patientLink ? patientLink.textContent.trim() : ""]
    .filter(Boolean)
    .join(", ");
  box.replaceChildren();
  for (const action of allowedNow(appointmentStatus, time ? time.getAttribute("datetime") : null)) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = action === "decline" || action === "no-show" ? "button button--secondary" : "button";
    button.dataset.action = action;
    button.textContent = BUTTON_TEXT[action];
    button.setAttribute("aria-label", `${BUTTON_TEXT[action]}: ${label}`);
    box.append(button);
  }
}

async function run(button) {
  const row = button.closest("[data-appointment]");
  const action = button.dataset.action;
  clearError(errors);
  for (const other of row.querySelectorAll("[data-actions] button")) other.disabled = true;
  const { ok, data } = await api("POST", `/api/v1/appointments/${row.dataset.appointment}/${action}/`, {});
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

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-actions] button[data-action]");
  if (button) run(button);
});

const focusOnLoad = document.querySelector("[data-focus-on-load]");
if (focusOnLoad) focusOnLoad.focus();
