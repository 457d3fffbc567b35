// The plain grid a map shows when the force has no tile server of its own
// (VIGIL_MAP_TILES_URL): no third party is ever called for tiles. Used by the officer's
// forms (intake.mjs) and the victims' portal (map.mjs).
import * as L from '/assets/leaflet/leaflet-src.esm.js'

export const Grid = L.GridLayer.extend({
  createTile (coords) {
    const tile = document.createElement('canvas')
    const size = this.getTileSize()
    tile.width = size.x
    tile.height = size.y
    const ctx = tile.getContext('2d')
    ctx.fillStyle = '#f3f2f1'
    ctx.fillRect(0, 0, size.x, size.y)
    ctx.strokeStyle = '#b1b4b6'
    ctx.strokeRect(0.5, 0.5, size.x - 1, size.y - 1)
    return tile
  }
})
