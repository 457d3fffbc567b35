// The place picker: Leaflet from the npm registry, with no external tile server. The map
// shows a plain grid unless the force configures its own tiles (VIGIL_MAP_TILES_URL).
import * as L from '/assets/leaflet/leaflet-src.esm.js'
import { Grid } from '/assets/vigil/map-grid.mjs'

export function initMap (block) {
  const form = block.closest('form')
  const lat = form.querySelector('input[name=lat]')
  const lon = form.querySelector('input[name=lon]')
  const picked = block.querySelector('#portal-map-picked')
  const centreButton = block.querySelector('[data-map-centre]')
  const clearButton = block.querySelector('[data-map-clear]')
  const tileUrl = block.dataset.tileUrl
  block.hidden = false

  const centre = [parseFloat(block.dataset.centreLat) || 51.5074, parseFloat(block.dataset.centreLon) || -0.1278]
  const map = L.map(block.querySelector('.portal-map'), { attributionControl: Boolean(tileUrl), keyboard: true })
  map.setView(centre, 15)
  if (tileUrl) {
    L.tileLayer(tileUrl, { attribution: block.dataset.tileAttribution || '', maxZoom: 19 }).addTo(map)
    map.attributionControl.setPrefix(false)
  } else {
    new Grid().addTo(map)
  }

  let marker = null
  function pick (latlng) {
    lat.value = latlng.lat.toFixed(6)
    lon.value = latlng.lng.toFixed(6)
    if (marker) {
      marker.setLatLng(latlng)
    } else {
      marker = L.circleMarker(latlng, { radius: 10, color: '#d4351c', weight: 3, fillOpacity: 0.4 }).addTo(map)
    }
    picked.textContent = `You picked a place on the map (${lat.value}, ${lon.value}). You can still type the address above as well.`
    clearButton.hidden = false
  }

  map.on('click', (event) => pick(event.latlng))
  centreButton.addEventListener('click', () => pick(map.getCenter()))
  clearButton.addEventListener('click', () => {
    lat.value = ''
    lon.value = ''
    if (marker) {
      marker.remove()
      marker = null
    }
    picked.textContent = 'The place was removed from the map.'
    clearButton.hidden = true
  })
  if (lat.value && lon.value) {
    const latlng = L.latLng(parseFloat(lat.value), parseFloat(lon.value))
    map.setView(latlng, 15)
    pick(latlng)
  }
  return map
}
