// The portal's progressive enhancement. Every page works without it.
//
// - "Exit this page" (a click, or Shift pressed 3 times) replaces the page with the neutral
//   site using location.replace, so the portal page is not left in the back history.
// - Links and forms inside the portal also replace the current history entry, so that after
//   leaving, the back button does not bring the portal back (where the browser allows).
// - The map picker loads only on the report form.
import { initAll } from '/assets/govuk/govuk-frontend.min.js'

const EXIT = '[data-portal-exit]'

// The exit link's href is the portal's own /report/exit (which ends the report in progress
// and sends the browser on); with JavaScript the session is ended by a beacon and the page
// goes straight to the neutral site named in data-portal-exit, without waiting for us.
function exitPage (link) {
  document.body.classList.add('portal-exiting')
  document.title = 'Loading'
  const neutral = link.dataset.portalExit
  if (neutral && navigator.sendBeacon && navigator.sendBeacon(link.href)) {
    window.location.replace(neutral)
  } else {
    window.location.replace(link.href)
  }
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null
  if (!target) return
  const exit = target.closest(EXIT)
  if (exit) {
    event.preventDefault()
    event.stopPropagation()
    exitPage(exit)
    return
  }
  const nav = target.closest('a[data-portal-nav]')
  if (nav && event.button === 0 && !event.ctrlKey && !event.metaKey && !event.shiftKey && !event.altKey) {
    event.preventDefault()
    window.location.replace(nav.href)
  }
}, true)

let shiftPresses = 0
let shiftTimer = null
document.addEventListener('keyup', (event) => {
  if (event.key !== 'Shift') {
    shiftPresses = 0
    return
  }
  shiftPresses += 1
  clearTimeout(shiftTimer)
  shiftTimer = setTimeout(() => { shiftPresses = 0 }, 5000)
  if (shiftPresses >= 3) {
    const link = document.querySelector(EXIT)
    if (link) exitPage(link)
  }
})

function swapPage (html) {
  const doc = new DOMParser().parseFromString(html, 'text/html')
  document.title = doc.title
  const body = document.adoptNode(doc.body)
  body.className = document.body.className
  document.body.replaceWith(body)
  initPage(body)
}

document.addEventListener('submit', async (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-portal-form')) return
  event.preventDefault()
  const action = new URL(form.getAttribute('action') || window.location.href, window.location.href)
  const data = new FormData(form, event.submitter || undefined)
  if ((form.getAttribute('method') || 'get').toLowerCase() === 'get') {
    action.search = new URLSearchParams(data).toString()
    window.location.replace(action.href)
    return
  }
  let response
  try {
    response = await fetch(action.href, { method: 'POST', body: data, credentials: 'same-origin', redirect: 'follow' })
  } catch (error) {
    // No connection to the fetch: send the form the ordinary way rather than lose it.
    HTMLFormElement.prototype.submit.call(form)
    return
  }
  if (response.redirected) {
    window.location.replace(response.url)
    return
  }
  swapPage(await response.text())
})

function initPage (scope) {
  const block = scope.querySelector('[data-portal-map]')
  if (block) {
    import('./map.mjs').then((module) => {
      const map = module.initMap(block)
      // The map sits under "Somewhere else", hidden until that is chosen: redraw it when shown.
      for (const input of scope.querySelectorAll('input[name=place]')) {
        input.addEventListener('change', () => setTimeout(() => map.invalidateSize(), 0))
      }
    }).catch(() => { block.hidden = true })
  }
}

initPage(document.body)
document.documentElement.dataset.portalReady = 'true'

// After a page swap, GOV.UK components in the new body need starting.
const observer = new MutationObserver((records) => {
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (node instanceof HTMLBodyElement) {
        initAll({ scope: node })
        const summary = node.querySelector('.govuk-error-summary')
        if (summary) summary.focus()
      }
    }
  }
})
observer.observe(document.documentElement, { childList: true })
