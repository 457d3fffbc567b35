// GOV.UK Frontend and MoJ Frontend ship ES modules. Pages work without this script; it only
// adds progressive enhancement.
import { initAll as govukInitAll } from '/assets/govuk/govuk-frontend.min.js'
import { initAll as mojInitAll, FilterToggleButton } from '/assets/moj/moj-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
govukInitAll()
mojInitAll()

// A list's filter (templates/layouts/filtered_list.html) starts hidden behind MoJ's "Show
// filter" button at every width, so the list has the whole screen. Without this script the
// page's own "Show filter" link does the same.
for (const $filter of document.querySelectorAll('[data-module="vigil-filter"]')) {
  const $layout = $filter.closest('.moj-filter-layout')
  const $toggleContainer = $layout && $layout.querySelector('.moj-action-bar__filter')
  if (!$toggleContainer) continue
  $toggleContainer.replaceChildren()
  new FilterToggleButton($filter, { // eslint-disable-line no-new
    bigModeMediaQuery: 'not all',
    startHidden: true,
    toggleButton: { showText: 'Show filter', hideText: 'Hide filter', classes: 'govuk-button--secondary govuk-!-margin-bottom-0' },
    toggleButtonContainer: { element: $toggleContainer },
    closeButton: { text: 'Close', classes: 'moj-filter__close' },
    closeButtonContainer: { selector: '.moj-filter__header-action' }
  })
}
