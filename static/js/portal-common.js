// Shared helpers of the portal scripts: API calls with the CSRF token, error display, time formats.

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const input = document.querySelector("input[name=csrfmiddlewaretoken]");
  return input ? input.value : "";
}

// Calls the JSON API; resolves to {ok, status, data}. Network failures look like an API error.
export async function api(method, url, body) {
  const options = {
    method,
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
  };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, options);
  } catch (error) {
    return { ok: false, status: 0, data: { detail: "We could not reach Medora. Check your connection and try again.", fields: {} } };
  }
  let data = null;
  if (response.status !== 204) {
    try {
      data = await response.json();
    } catch (error) {
      data = { detail: "Something went wrong. Please try again.", fields: {} };
    }
  }
  return { ok: response.ok, status: response.status, data };
}

const FIELD_LABELS = {
  non_field_errors: "",
  start: "Time",
  reason: "Reason",
  visit_type: "Visit type",
  provider: "Provider",
  earliest_date: "From",
  latest_date: "To",
};

// Shows an API error ({detail, fields}) in an aria-live region and moves focus to it.
export function showError(region, data) {
  region.replaceChildren();
  region.classList.add("alert", "alert--error");
  const detail = document.createElement("p");
  detail.textContent = (data && data.detail) || "Something went wrong. Please try again.";
  region.append(detail);
  const fields = (data && data.fields) || {};
  const names = Object.keys(fields);
  if (names.length) {
    const list = document.createElement("ul");
    for (const name of names) {
      for (const message of fields[name]) {
        const item = document.createElement("li");
        const label = name in FIELD_LABELS ? FIELD_LABELS[name] : name.replace(/_/g, " ");
        item.textContent = label ? `${label}: ${message}` : message;
        list.append(item);
      }
    }
    region.append(list);
  }
  region.hidden = false;
  region.focus();
}

export function clearError(region) {
  if (!region) return;
  region.hidden = true;
  region.replaceChildren();
}

export function announce(region, text) {
  if (region) region.textContent = text;
}

export function formatDateTime(iso, zone, options) {
  // en-US names the zone as the server does ("EST"); h23 keeps the 24-hour clock of the pages.
  return new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", ...options }).format(new Date(iso));
}

export function setBusy(form, busy) {
  for (const button of form.querySelectorAll("button")) {
    button.disabled = busy;
  }
  form.setAttribute("aria-busy", busy ? "true" : "false");
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}
