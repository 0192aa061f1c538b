import { ApiClient, type Fetch, loadPageConfig } from "./api.ts";
import { codeFromPastedText, normaliseCode } from "./code.ts";
import { startCountdown } from "./countdown.ts";
import {
  CODE_PROBLEM_MESSAGES,
  generateOutcome,
  PAGE_TEXT,
  PHONE_PROBLEM_MESSAGES,
  validateOutcome,
} from "./messages.ts";
import { COUNTRIES, guessCountry, normalisePhone, OTHER_COUNTRY } from "./phone.ts";
import { decodeTokenClaims } from "./token.ts";
import { type HumanCheck, loadTurnstile } from "./turnstile.ts";
import { listenForWebOtp } from "./webotp.ts";

/** The DOM wiring: every decision about messages and numbers lives in the pure modules. */

function element<T extends HTMLElement>(id: string, type: new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`The page is missing #${id}`);
  return found;
}

const phoneStep = element("phone-step", HTMLFormElement);
const country = element("country", HTMLSelectElement);
const phoneInput = element("phone", HTMLInputElement);
const phoneError = element("phone-error", HTMLElement);
const phoneHint = element("phone-hint", HTMLElement);
const codeStep = element("code-step", HTMLFormElement);
const sentTo = element("sent-to", HTMLElement);
const changeButton = element("change", HTMLButtonElement);
const codeInput = element("code", HTMLInputElement);
const codeError = element("code-error", HTMLElement);
const codeHint = element("code-hint", HTMLElement);
const resendButton = element("resend", HTMLButtonElement);
const resendWait = element("resend-wait", HTMLElement);
const done = element("done", HTMLElement);
const doneTitle = element("done-title", HTMLElement);
const verifiedPhone = element("verified-phone", HTMLElement);
const tokenLifetime = element("token-lifetime", HTMLElement);
const claimsList = element("claims", HTMLElement);
const tokenText = element("token", HTMLElement);
const restartButton = element("restart", HTMLButtonElement);
const status = element("status", HTMLElement);
const challengeBox = element("challenge", HTMLElement);

const fetchImpl: Fetch = (input, init) => fetch(input, init);
const pageConfig = loadPageConfig(fetchImpl, location.href);
const api = new ApiClient(
  pageConfig.then((config) => config.apiUrl),
  location.href,
  fetchImpl,
);
/** The human check, when the operator configured one; it loads beside the rest of the page. */
const humanCheck: Promise<HumanCheck | undefined> = pageConfig.then(async (config) => {
  if (!config.turnstileSiteKey) return undefined;
  challengeBox.hidden = false;
  try {
    return await loadTurnstile(config.turnstileSiteKey, challengeBox);
  } catch {
    announce(PAGE_TEXT.challengeUnavailable, "error");
    return undefined;
  }
});

/** The E.164 number the code step is about. */
let currentPhone = "";
let busy = false;
let stopResendCountdown = (): void => {};
let stopWebOtp = (): void => {};

type Tone = "info" | "error" | "success";

/**
 * Puts a message in the one live region. `shown: false` still announces it but hides it, for
 * messages already printed next to a field.
 */
function announce(message: string, tone: Tone = "info", shown = true): void {
  status.className = `status ${tone}${shown ? "" : " visually-hidden"}`;
  status.textContent = message;
}

function setFieldError(
  input: HTMLInputElement,
  errorElement: HTMLElement,
  message: string | undefined,
): void {
  if (message === undefined) {
    input.removeAttribute("aria-invalid");
    errorElement.hidden = true;
    errorElement.textContent = "";
    return;
  }
  input.setAttribute("aria-invalid", "true");
  errorElement.hidden = false;
  errorElement.textContent = message;
  announce(message, "error", false);
  input.focus();
}

function showStep(step: "phone" | "code" | "done"): void {
  challengeBox.classList.toggle("finished", step === "done");
  phoneStep.hidden = step !== "phone";
  codeStep.hidden = step !== "code";
  done.hidden = step !== "done";
  if (step !== "code") {
    stopWebOtp();
    stopResendCountdown();
  }
}

/** Marks a request in flight; the buttons keep focus (no `disabled`) but repeated submits are ignored. */
function setBusy(form: HTMLElement, value: boolean): void {
  busy = value;
  form.setAttribute("aria-busy", String(value));
}

function runResendCountdown(seconds: number): void {
  stopResendCountdown();
  stopResendCountdown = startCountdown(seconds, (left) => {
    resendButton.disabled = left > 0;
    resendWait.textContent = PAGE_TEXT.resendIn(left);
  });
}

function offerNewCode(offer: boolean): void {
  resendButton.classList.toggle("offer", offer);
}

function fillCountries(): void {
  for (const entry of COUNTRIES) {
    country.add(new Option(`${entry.name} (+${entry.callingCode})`, entry.iso));
  }
  country.add(new Option(PAGE_TEXT.otherCountry, OTHER_COUNTRY));
  country.value = guessCountry(navigator.languages ?? [navigator.language]);
}

/** Shows what will be sent, so a wrong country choice is visible before any SMS goes out. */
function updatePhonePreview(): void {
  const result = normalisePhone(phoneInput.value, country.value);
  phoneHint.textContent = result.ok ? PAGE_TEXT.phonePreview(result.e164) : PAGE_TEXT.phoneHint;
}

async function sendCode(phone: string, form: HTMLElement, isResend: boolean): Promise<void> {
  if (busy) return;
  const check = await humanCheck;
  const token = check?.token();
  if (check && token === undefined) {
    announce(PAGE_TEXT.challengeFirst, "error");
    challengeBox.focus();
    return;
  }
  setBusy(form, true);
  announce(PAGE_TEXT.sending(isResend));
  const outcome = generateOutcome(await api.generate(phone, token));
  setBusy(form, false);
  // A token is good for one send.
  check?.reset();

  switch (outcome.kind) {
    case "sent":
      enterCodeStep(phone);
      runResendCountdown(outcome.resendIn);
      codeHint.textContent = PAGE_TEXT.codeHint(outcome.expiresIn);
      announce(PAGE_TEXT.sent(phone, isResend));
      return;
    case "cooldown":
      if (codeStep.hidden) enterCodeStep(phone);
      runResendCountdown(outcome.waitSeconds);
      announce(outcome.message);
      return;
    case "limited":
      if (!codeStep.hidden) runResendCountdown(outcome.waitSeconds);
      announce(outcome.message, "error");
      return;
    case "phone_error":
      showStep("phone");
      setFieldError(phoneInput, phoneError, outcome.message);
      return;
    case "challenge":
      announce(outcome.message, "error");
      challengeBox.focus();
      return;
    case "failed":
      announce(outcome.message, "error");
      return;
  }
}

function enterCodeStep(phone: string): void {
  currentPhone = phone;
  sentTo.textContent = phone;
  codeInput.value = "";
  setFieldError(codeInput, codeError, undefined);
  offerNewCode(false);
  showStep("code");
  codeInput.focus();
  stopWebOtp();
  stopWebOtp = listenForWebOtp((code) => {
    codeInput.value = code;
    codeStep.requestSubmit();
  });
}

async function verifyCode(): Promise<void> {
  if (busy) return;
  const code = normaliseCode(codeInput.value);
  if (!code.ok) {
    setFieldError(codeInput, codeError, CODE_PROBLEM_MESSAGES[code.problem]);
    return;
  }
  setBusy(codeStep, true);
  announce(PAGE_TEXT.checking);
  const outcome = validateOutcome(await api.validate(currentPhone, code.code));
  setBusy(codeStep, false);

  switch (outcome.kind) {
    case "verified":
      showVerified(outcome.token, outcome.expiresIn);
      return;
    case "wrong_code":
      setFieldError(codeInput, codeError, outcome.message);
      codeInput.select();
      offerNewCode(outcome.attemptsRemaining === 0);
      return;
    case "new_code_needed":
      setFieldError(codeInput, codeError, outcome.message);
      offerNewCode(true);
      if (!resendButton.disabled) resendButton.focus();
      return;
    case "phone_error":
      showStep("phone");
      setFieldError(phoneInput, phoneError, outcome.message);
      return;
    case "failed":
      announce(outcome.message, "error");
      return;
  }
}

function showVerified(token: string, expiresIn: number): void {
  stopWebOtp();
  verifiedPhone.textContent = currentPhone;
  tokenLifetime.textContent = PAGE_TEXT.tokenLifetime(expiresIn);
  tokenText.textContent = token;
  claimsList.replaceChildren();
  const claims = decodeTokenClaims(token) ?? {};
  const rows: [string, unknown][] = [
    ["sub", claims.sub],
    ["phone_number_verified", claims.phone_number_verified],
    ["iss", claims.iss],
    ["aud", claims.aud],
    ["exp", typeof claims.exp === "number" ? new Date(claims.exp * 1000).toLocaleString() : undefined],
  ];
  for (const [name, value] of rows) {
    if (value === undefined) continue;
    const term = document.createElement("dt");
    term.textContent = name;
    const description = document.createElement("dd");
    description.textContent = String(value);
    claimsList.append(term, description);
  }
  showStep("done");
  // The heading already says it on screen; the live region only tells screen readers.
  announce(PAGE_TEXT.verified, "success", false);
  doneTitle.focus();
}

phoneStep.addEventListener("submit", (event) => {
  event.preventDefault();
  const result = normalisePhone(phoneInput.value, country.value);
  if (!result.ok) {
    setFieldError(phoneInput, phoneError, PHONE_PROBLEM_MESSAGES[result.problem]);
    return;
  }
  setFieldError(phoneInput, phoneError, undefined);
  void sendCode(result.e164, phoneStep, false);
});

codeStep.addEventListener("submit", (event) => {
  event.preventDefault();
  stopWebOtp();
  void verifyCode();
});

codeInput.addEventListener("paste", (event) => {
  const code = codeFromPastedText(event.clipboardData?.getData("text") ?? "");
  if (code === undefined) return;
  event.preventDefault();
  codeInput.value = code;
});

resendButton.addEventListener("click", () => {
  void sendCode(currentPhone, codeStep, true);
});

changeButton.addEventListener("click", () => {
  showStep("phone");
  announce("");
  phoneInput.focus();
  phoneInput.select();
});

restartButton.addEventListener("click", () => {
  phoneInput.value = "";
  updatePhonePreview();
  showStep("phone");
  announce("");
  phoneInput.focus();
});

phoneInput.addEventListener("input", updatePhonePreview);
country.addEventListener("change", updatePhonePreview);

fillCountries();
updatePhonePreview();
