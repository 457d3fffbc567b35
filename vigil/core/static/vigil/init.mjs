// GOV.UK Frontend and MoJ Frontend ship ES modules. Pages work without this script; it only
// adds progressive enhancement.
import { initAll as govukInitAll } from '/assets/govuk/govuk-frontend.min.js'
import { initAll as mojInitAll } from '/assets/moj/moj-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
govukInitAll()
mojInitAll()
