/*
 * Lyra simulator: a stand-in for kr-payment-form.min.js, the embedded form's script, with the same
 * contract as the real one (providers/lyra.md §6):
 *   <script src="{simulator}/static/js/krypton-client/V4.0/stable/kr-payment-form.min.js"
 *           kr-public-key="shopId:testpublickey_..." kr-post-url-success="..." (or kr-get-url-success)
 *           kr-post-url-refused="..." (or kr-get-url-refused, both optional)></script>
 *   <div class="kr-embedded" kr-form-token="..."></div>
 * It renders a labelled card form (number, expiry, security code, Pay) in the first .kr-embedded
 * element. Pay sends the card to the simulator (the script's own origin), which records the
 * transaction and sends the IPN before answering; the script then sends the browser to the success
 * (or refused) URL with kr-answer, kr-hash, kr-hash-key, kr-hash-algorithm and kr-answer-type, as
 * a form POST (or a GET with them in the query string). Without a URL for the outcome it says the
 * outcome in the form. Errors carry the real form's CLIENT_ codes.
 */
(() => {
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  const attribute = (name) => script.getAttribute(name) || undefined;
  const outcomes = {
    PAID: { post: attribute('kr-post-url-success'), get: attribute('kr-get-url-success') },
    UNPAID: { post: attribute('kr-post-url-refused'), get: attribute('kr-get-url-refused') },
  };

  const luhn = (digits) => {
    let sum = 0;
    for (let i = 0; i < digits.length; i++) {
      let digit = Number(digits[digits.length - 1 - i]);
      if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
      sum += digit;
    }
    return sum % 10 === 0;
  };

  /** Where the browser goes with the signed answer: a real form POST, or a GET with the fields in the query. */
  const leave = (outcome, fields) => {
    if (outcome.post) {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = outcome.post;
      form.hidden = true;
      for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
      return;
    }
    const url = new URL(outcome.get, document.baseURI);
    for (const [name, value] of Object.entries(fields)) url.searchParams.set(name, value);
    window.location.assign(url.toString());
  };

  const render = (container) => {
    const token = container.getAttribute('kr-form-token');
    container.innerHTML = `
<form class="kr-sim-form" novalidate aria-label="Card payment">
  <p><label for="kr-sim-pan">Card number</label><br>
  <input id="kr-sim-pan" name="pan" inputmode="numeric" autocomplete="cc-number" required></p>
  <p><label for="kr-sim-expiry">Expiry date (MM/YY)</label><br>
  <input id="kr-sim-expiry" name="expiry" autocomplete="cc-exp" placeholder="MM/YY" required></p>
  <p><label for="kr-sim-cvv">Security code</label><br>
  <input id="kr-sim-cvv" name="cvv" inputmode="numeric" autocomplete="cc-csc" required></p>
  <button type="submit" class="kr-payment-button">Pay</button>
  <p id="kr-sim-error" class="kr-form-error" role="alert"></p>
  <p class="kr-form-status" role="status"></p>
</form>`;
    const form = container.querySelector('form');
    const [pan, expiry, cvv] = ['pan', 'expiry', 'cvv'].map((name) => form.elements.namedItem(name));
    const button = form.querySelector('button');
    const alert = form.querySelector('[role=alert]');
    const status = form.querySelector('[role=status]');

    const clear = () => {
      for (const input of [pan, expiry, cvv]) {
        input.removeAttribute('aria-invalid');
        input.removeAttribute('aria-describedby');
      }
      alert.textContent = '';
    };
    const fail = (code, message, field) => {
      clear();
      alert.textContent = `${message} (${code})`;
      if (field) {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-describedby', 'kr-sim-error');
        field.focus();
      }
    };
    const configuration = !attribute('kr-public-key')
      ? ['CLIENT_501', 'The parameter kr-public-key is empty or missing']
      : !token
        ? ['CLIENT_305', 'No formToken defined']
        : outcomes.PAID.post && outcomes.PAID.get
          ? ['CLIENT_707', 'kr-get-url-success and kr-post-url-success cannot both be set']
          : outcomes.UNPAID.post && outcomes.UNPAID.get
            ? ['CLIENT_708', 'kr-get-url-refused and kr-post-url-refused cannot both be set']
            : undefined;
    if (configuration) {
      fail(...configuration);
      button.disabled = true;
      return;
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const digits = pan.value.replace(/[\s-]/g, '');
      const date = /^(\d{2})\s*\/\s*(\d{2})$/.exec(expiry.value.trim());
      if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) return fail('CLIENT_301', 'Invalid card number', pan);
      if (!date || Number(date[1]) < 1 || Number(date[1]) > 12)
        return fail('CLIENT_302', 'Invalid expiration date', expiry);
      if (!/^\d{3,4}$/.test(cvv.value.trim())) return fail('CLIENT_303', 'Invalid security code', cvv);
      clear();
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        const response = await fetch(`${origin}/simulator/form/pay`, {
          method: 'POST',
          body: new URLSearchParams({
            formToken: token,
            publicKey: attribute('kr-public-key'),
            pan: digits,
            expiry: `${date[1]}/${date[2]}`,
            cvv: cvv.value.trim(),
          }),
        });
        const answer = await response.json();
        if (answer.error) {
          fail(answer.error.code, answer.error.message);
          button.disabled = answer.error.code === 'CLIENT_502';
          return;
        }
        const outcome = outcomes[answer.orderStatus];
        if (outcome.post || outcome.get) return leave(outcome, answer.fields);
        status.textContent = answer.orderStatus === 'PAID' ? 'Payment accepted.' : 'Payment refused.';
        if (answer.orderStatus !== 'PAID') fail('CLIENT_001', 'Payment declined');
      } catch {
        fail('CLIENT_104', 'The payment service could not be reached');
        button.disabled = false;
      } finally {
        form.removeAttribute('aria-busy');
      }
    });
  };

  const start = () => {
    const container = document.querySelector('.kr-embedded');
    if (container) render(container);
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
