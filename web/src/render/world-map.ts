/**
 * A world map of an origin mix (d3-geo, Natural Earth projection, world-atlas 1:110m TopoJSON
 * bundled with the page: no request leaves the server). Countries are shaded by their share of the
 * intake; CAHRA countries are hatched and outlined, so they stand out without relying on colour.
 */
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { scaleSequential } from 'd3-scale';
import { interpolateBlues } from 'd3-scale-chromatic';
import { select } from 'd3-selection';
import type { FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import worldUrl from 'world-atlas/countries-110m.json?url';
import { applyCss, css } from '../components/inline-css.js';
import { numericByAlpha2 } from '../data/country-codes.js';
import { escapeHtml, formatShare } from './format.js';
import { ACCENT } from './graph-style.js';

type CountryFeatures = FeatureCollection<Geometry, { name: string }>;
let world: Promise<CountryFeatures> | null = null;

function loadWorld(): Promise<CountryFeatures> {
  world ??= fetch(worldUrl)
    .then((r) => {
      if (!r.ok) throw new Error(`The world map could not be loaded (${r.status})`);
      return r.json() as Promise<Topology<{ countries: GeometryCollection<{ name: string }> }>>;
    })
    .then((topo) => feature(topo, topo.objects.countries) as CountryFeatures);
  world.catch(() => (world = null));
  return world;
}

export interface MapCountry {
  code: string;
  name: string;
  share: number;
  cahra: boolean;
}

/** Draw the map into `container`; answers the origin countries the 1:110m map has no shape for. */
export async function drawOriginMap(
  container: HTMLElement,
  origins: readonly MapCountry[],
  cahraCodes: ReadonlySet<string>,
): Promise<MapCountry[]> {
  const features = await loadWorld();
  const numeric = numericByAlpha2();
  const byNumeric = new Map<string, MapCountry>();
  for (const o of origins) {
    const n = numeric.get(o.code);
    if (n) byNumeric.set(n, o);
  }
  const cahraNumeric = new Set([...cahraCodes].map((c) => numeric.get(c)).filter((n): n is string => !!n));
  const drawn = new Set(features.features.map((f) => String(f.id)));

  const width = Math.max(320, container.clientWidth || 640);
  const height = Math.round(width * 0.52);
  const projection = geoNaturalEarth1().fitSize([width, height], { type: 'Sphere' });
  const path = geoPath(projection);
  const max = Math.max(0.01, ...origins.map((o) => o.share));
  const colour = scaleSequential(interpolateBlues).domain([0, max]);

  container.innerHTML = '';
  const svg = select(container)
    .append('svg')
    .attr('class', 'world-map')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('role', 'img')
    .attr('aria-label', `World map of origins: ${origins.map((o) => `${o.name} ${formatShare(o.share)}`).join(', ')}`);
  const defs = svg.append('defs');
  defs
    .append('pattern')
    .attr('id', 'cahra-hatch')
    .attr('patternUnits', 'userSpaceOnUse')
    .attr('width', 5)
    .attr('height', 5)
    .attr('patternTransform', 'rotate(45)')
    .append('line')
    .attr('x1', 0)
    .attr('y1', 0)
    .attr('x2', 0)
    .attr('y2', 5)
    .attr('stroke', ACCENT.cahra)
    .attr('stroke-width', 1.6);
  svg
    .append('path')
    .attr('class', 'sphere')
    .attr('d', path({ type: 'Sphere' }) ?? '');
  const countries = svg
    .append('g')
    .selectAll('g')
    .data(features.features)
    .join('g')
    .attr('class', 'map-country')
    .attr('data-numeric', (f) => String(f.id ?? ''));
  countries
    .append('path')
    .attr('d', (f) => path(f) ?? '')
    .attr('fill', (f) => {
      const o = byNumeric.get(String(f.id));
      return o ? colour(o.share) : '#eef0f3';
    })
    .attr('stroke', '#9aa3ae')
    .attr('stroke-width', 0.4);
  // CAHRA: hatching over the fill and a thick outline.
  countries
    .filter((f) => cahraNumeric.has(String(f.id)))
    .append('path')
    .attr('class', 'cahra-overlay')
    .attr('d', (f) => path(f) ?? '')
    .attr('fill', 'url(#cahra-hatch)')
    .attr('stroke', ACCENT.cahra)
    .attr('stroke-width', (f) => (byNumeric.has(String(f.id)) ? 2 : 0.8));
  countries.append('title').text((f) => {
    const o = byNumeric.get(String(f.id));
    const cahra = cahraNumeric.has(String(f.id)) ? ' · CAHRA' : '';
    return o ? `${o.name}: ${formatShare(o.share)} of the intake${cahra}` : `${f.properties.name}${cahra}`;
  });

  // Legend: shares, and the CAHRA hatching.
  const legend = select(container).append('div').attr('class', 'map-legend');
  const stops = Array.from({ length: 6 }, (_, i) => `${colour((max * i) / 5)} ${i * 20}%`).join(', ');
  legend.html(
    `<span>0</span>` +
      `<span class="legend-gradient small" ${css(`background:linear-gradient(to right, ${stops})`)}></span>` +
      `<span>${escapeHtml(formatShare(max))} of the intake</span>
    <span class="swatch hatch-cahra" aria-hidden="true"></span><span>CAHRA country</span>`,
  );
  applyCss(container);

  return origins.filter((o) => {
    const n = numeric.get(o.code);
    return !n || !drawn.has(n);
  });
}
