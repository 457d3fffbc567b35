// Refreshes the action board's results every minute while the page is visible. The page
// works without it: the filters are a plain GET form and the table is server-rendered.
const results = document.getElementById('board-results')

const status = document.getElementById('board-refresh-status')

async function refresh () {
  if (!results || document.hidden) return
  // Someone working in the table (a link or a button has focus) is not interrupted: the
  // next refresh comes when they have moved on.
  if (results.contains(document.activeElement)) return
  try {
    const response = await fetch(window.location.href, {
      headers: { 'X-Vigil-Refresh': 'board' },
      credentials: 'same-origin',
      redirect: 'error'
    })
    if (!response.ok) return
    const html = await response.text()
    // Keep focus and scroll position: only the results region is replaced.
    results.innerHTML = html
    if (status) status.textContent = 'The board was updated at ' + new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })
    results.dispatchEvent(new CustomEvent('vigil:board-refreshed', { bubbles: true }))
  } catch (error) {
    // Offline or signed out: keep showing the last results; the next full load will tell.
  }
}

if (results) {
  const seconds = Math.max(15, Number(results.dataset.refreshSeconds) || 60)
  results.dataset.refreshReady = 'true'
  window.setInterval(refresh, seconds * 1000)
  document.addEventListener('visibilitychange', () => { if (!document.hidden) refresh() })
  window.vigilBoardRefresh = refresh
}
