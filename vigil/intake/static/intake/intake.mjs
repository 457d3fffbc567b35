// Progressive enhancement of the officer's forms. Every page works without this script: the
// map is absent and the postcode serves; the person search is a button.
//
// - Maps: each [data-place-map] block becomes a Leaflet map (from the npm package, served by
//   Vigil) showing the force's own street tiles, or a plain grid when none is configured. A
//   click puts a pin, written into the place's "map position" box; a typed postcode moves the
//   map to its centre first. With data-radius, the map draws the exclusion zone's circle.
// - Person search: while a name and a date of birth are typed, the records the linker would
//   link are fetched (by POST, so names stay out of addresses and logs) and shown.
import * as L from '/assets/leaflet/leaflet-src.esm.js'
import { Grid } from '/assets/vigil/map-grid.mjs'

function csrfToken (form) {
  const input = form.querySelector('input[name=csrfmiddlewaretoken]')
  return input ? input.value : ''
}

function parsePosition (text) {
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*[,\s]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text || '')
  if (!match) return null
  const lat = parseFloat(match[1])
  const lon = parseFloat(match[2])
  if (Math.abs(lat) > 90 || Math.abs(lon) > 180) return null
  return L.latLng(lat, lon)
}

async function postcodeCentre (form, postcode) {
  const body = new FormData()
  body.append('postcode', postcode)
  const response = await fetch('/gazetteer/postcode/', {
    method: 'POST',
    body,
    headers: { 'X-CSRFToken': csrfToken(form) },
    credentials: 'same-origin'
  })
  if (!response.ok) return null
  const found = await response.json()
  return L.latLng(found.lat, found.lon)
}

export function initPlaceMap (block) {
  const form = block.closest('form')
  const coordinates = document.getElementById(block.dataset.coordinates)
  const postcode = document.getElementById(block.dataset.postcode)
  const radiusInput = block.dataset.radius ? document.getElementById(block.dataset.radius) : null
  const status = block.querySelector('[data-map-status]')
  const tilesUrl = block.dataset.tilesUrl
  block.hidden = false

  const centre = L.latLng(parseFloat(block.dataset.centreLat) || 51.5074, parseFloat(block.dataset.centreLon) || -0.1278)
  const map = L.map(block.querySelector('.vigil-map'), { attributionControl: Boolean(tilesUrl), keyboard: true })
  map.setView(centre, 15)
  if (tilesUrl) {
    L.tileLayer(tilesUrl, { attribution: block.dataset.tilesAttribution || '', maxZoom: 19 }).addTo(map)
    map.attributionControl.setPrefix(false)
  } else {
    new Grid().addTo(map)
  }

  let marker = null
  let circle = null
  function drawCircle () {
    const metres = radiusInput ? parseFloat(radiusInput.value) : NaN
    if (circle) {
      circle.remove()
      circle = null
    }
    if (marker && metres > 0) {
      circle = L.circle(marker.getLatLng(), { radius: metres, color: '#d4351c', weight: 2, fillOpacity: 0.1 }).addTo(map)
    }
  }
  function pin (latlng, words) {
    if (marker) {
      marker.setLatLng(latlng)
    } else {
      marker = L.circleMarker(latlng, { radius: 9, color: '#1d70b8', weight: 3, fillOpacity: 0.4 }).addTo(map)
    }
    drawCircle()
    if (words) status.textContent = words
  }

  map.on('click', (event) => {
    coordinates.value = `${event.latlng.lat.toFixed(6)}, ${event.latlng.lng.toFixed(6)}`
    pin(event.latlng, `Pin placed at ${coordinates.value}. It is used instead of the postcode's centre.`)
  })
  coordinates.addEventListener('change', () => {
    const latlng = parsePosition(coordinates.value)
    if (latlng) {
      map.setView(latlng, Math.max(map.getZoom(), 16))
      pin(latlng, 'The pin was moved to the position you typed.')
    }
  })
  if (postcode) {
    postcode.addEventListener('change', async () => {
      if (!postcode.value.trim() || parsePosition(coordinates.value)) return
      const latlng = await postcodeCentre(form, postcode.value)
      if (latlng) {
        map.setView(latlng, 17)
        status.textContent = `The map moved to the centre of ${postcode.value.toUpperCase()}. Click the exact place to put a pin, or leave it: the postcode's centre will be used.`
      } else {
        status.textContent = 'That postcode was not found, so the map did not move.'
      }
    })
  }
  if (radiusInput) radiusInput.addEventListener('input', drawCircle)

  const typed = parsePosition(coordinates.value)
  if (typed) {
    map.setView(typed, 16)
    pin(typed, '')
  } else if (postcode && postcode.value.trim()) {
    postcodeCentre(form, postcode.value).then((latlng) => { if (latlng) map.setView(latlng, 17) })
  }
  return map
}

function debounce (fn, ms) {
  let timer = null
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}

export function initPersonSearch (form) {
  const prefix = form.dataset.personForm
  const fields = ['full_name', 'born_day', 'born_month', 'born_year', 'aliases', 'sex']
  let last = ''
  const search = debounce(async () => {
    const body = new FormData()
    body.append('prefix', prefix)
    for (const name of fields) {
      const inputs = form.querySelectorAll(`[name="${prefix}-${name}"]`)
      for (const input of inputs) {
        if ((input.type === 'radio' || input.type === 'checkbox') && !input.checked) continue
        body.append(`${prefix}-${name}`, input.value)
      }
    }
    // The home's postcode (and any pin) lets the linker compare where the records live too.
    for (const name of ['home-address', 'home-postcode', 'home-coordinates']) {
      const input = form.querySelector(`[name="${name}"]`)
      if (input) body.append(name, input.value)
    }
    const chosen = form.querySelector(`[name="${prefix}-record"]:checked`)
    if (chosen) body.append(`${prefix}-record`, chosen.value)
    const key = new URLSearchParams(body).toString()
    if (key === last) return
    last = key
    const response = await fetch('/people/suggest/', {
      method: 'POST',
      body,
      headers: { 'X-CSRFToken': csrfToken(form) },
      credentials: 'same-origin'
    })
    if (!response.ok) return
    const holder = form.querySelector(`[data-suggestions="${prefix}"]`)
    if (holder) holder.outerHTML = await response.text()
  }, 450)
  for (const name of ['full_name', 'born_day', 'born_month', 'born_year']) {
    const input = form.querySelector(`[name="${prefix}-${name}"]`)
    if (input) input.addEventListener('input', search)
  }
  const postcode = form.querySelector('[name="home-postcode"]')
  if (postcode) postcode.addEventListener('change', search)
  const button = form.querySelector('[data-suggest-button]')
  if (button) button.closest('.govuk-button-group').style.display = 'none'
}

for (const block of document.querySelectorAll('[data-place-map]')) {
  const map = initPlaceMap(block)
  // A map drawn inside a closed <details> or a hidden conditional has no size: redraw it once shown.
  const holder = block.closest('details, .govuk-radios__conditional, .govuk-checkboxes__conditional')
  if (holder) {
    const redraw = () => setTimeout(() => map.invalidateSize(), 0)
    holder.addEventListener('toggle', redraw)
    for (const input of document.querySelectorAll('.govuk-radios__input, .govuk-checkboxes__input')) {
      input.addEventListener('change', redraw)
    }
  }
}
for (const form of document.querySelectorAll('[data-person-form]')) initPersonSearch(form)
