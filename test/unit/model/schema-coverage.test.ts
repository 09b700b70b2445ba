// The canonical model (src/model/types.ts) covers the vendored compose-spec schema: every object the schema
// describes with `properties` is either mapped to one of the field tables of src/model/fields.ts, whose keys
// must then be exactly the union of the schema properties mapped to it, or listed below as not modelled, with
// the reason. The tables are checked against the types by the compiler (`satisfies Fields<T>`), so a property
// the spec adds fails here until the type gets a field for it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as F from '../../../src/model/fields.js';

type Json = { readonly [key: string]: unknown };
const schema = JSON.parse(readFileSync(new URL('../../../schema/compose-spec.json', import.meta.url), 'utf8')) as Json;

/** JSON pointer (as the walk below writes it) → the field table that models that schema object. */
const MAPPED: Readonly<Record<string, Readonly<Record<string, true>>>> = {
  '#': F.PROJECT_FIELDS,
  '#/$defs/service': F.SERVICE_FIELDS,
  '#/$defs/service/properties/build/oneOf/1': F.BUILD_FIELDS,
  '#/$defs/service/properties/blkio_config': F.BLKIO_FIELDS,
  '#/$defs/blkio_limit': F.BLKIO_LIMIT_FIELDS,
  '#/$defs/blkio_weight': F.BLKIO_WEIGHT_FIELDS,
  '#/$defs/service/properties/credential_spec': F.CREDENTIAL_SPEC_FIELDS,
  '#/$defs/service/properties/depends_on/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$': F.DEPENDS_ON_FIELDS,
  '#/$defs/service/properties/devices/items/oneOf/1': F.DEVICE_MAPPING_FIELDS,
  '#/$defs/service/properties/provider': F.PROVIDER_FIELDS,
  '#/$defs/service/properties/logging': F.LOGGING_FIELDS,
  '#/$defs/service/properties/models/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$/oneOf/0': F.SERVICE_MODEL_FIELDS,
  '#/$defs/service/properties/networks/oneOf/1/patternProperties/^[a-zA-Z0-9._-]+$/oneOf/0': F.SERVICE_NETWORK_FIELDS,
  '#/$defs/service/properties/ports/items/oneOf/2': F.PORT_FIELDS,
  '#/$defs/service/properties/volumes/items/oneOf/1': F.SERVICE_VOLUME_FIELDS,
  '#/$defs/service/properties/volumes/items/oneOf/1/properties/bind': F.VOLUME_BIND_FIELDS,
  '#/$defs/service/properties/volumes/items/oneOf/1/properties/volume': F.VOLUME_VOLUME_FIELDS,
  '#/$defs/service/properties/volumes/items/oneOf/1/properties/tmpfs': F.VOLUME_TMPFS_FIELDS,
  '#/$defs/service/properties/volumes/items/oneOf/1/properties/image': F.VOLUME_IMAGE_FIELDS,
  '#/$defs/healthcheck': F.HEALTHCHECK_FIELDS,
  '#/$defs/development': F.DEVELOP_FIELDS,
  '#/$defs/development/properties/watch/items': F.WATCH_TRIGGER_FIELDS,
  '#/$defs/deployment': F.DEPLOY_FIELDS,
  '#/$defs/deployment/properties/rollback_config': F.UPDATE_CONFIG_FIELDS,
  '#/$defs/deployment/properties/update_config': F.UPDATE_CONFIG_FIELDS,
  '#/$defs/deployment/properties/resources': F.RESOURCES_FIELDS,
  '#/$defs/deployment/properties/resources/properties/limits': F.LIMITS_FIELDS,
  '#/$defs/deployment/properties/resources/properties/reservations': F.RESERVATIONS_FIELDS,
  '#/$defs/deployment/properties/restart_policy': F.RESTART_POLICY_FIELDS,
  '#/$defs/deployment/properties/placement': F.PLACEMENT_FIELDS,
  '#/$defs/deployment/properties/placement/properties/preferences/items': F.PREFERENCE_FIELDS,
  '#/$defs/generic_resources/items': F.GENERIC_RESOURCE_FIELDS,
  '#/$defs/generic_resources/items/properties/discrete_resource_spec': F.DISCRETE_RESOURCE_FIELDS,
  '#/$defs/devices/items': F.DEVICE_REQUEST_FIELDS,
  '#/$defs/gpus/oneOf/1/items': F.DEVICE_REQUEST_FIELDS,
  '#/$defs/network': F.NETWORK_FIELDS,
  '#/$defs/network/properties/ipam': F.IPAM_FIELDS,
  '#/$defs/network/properties/ipam/properties/config/items': F.IPAM_POOL_FIELDS,
  '#/$defs/volume': F.VOLUME_FIELDS,
  '#/$defs/secret': F.FILE_OBJECT_FIELDS,
  '#/$defs/config': F.FILE_OBJECT_FIELDS,
  '#/$defs/model': F.MODEL_FIELDS,
  '#/$defs/service_hook': F.HOOK_FIELDS,
  '#/$defs/pre_start_hook': F.HOOK_FIELDS,
  '#/$defs/env_file/oneOf/1/items/oneOf/1': F.ENV_FILE_FIELDS,
  '#/$defs/service_config_or_secret/items/oneOf/1': F.FILE_REF_FIELDS,
  '#/$defs/ulimits/patternProperties/^[a-z]+$/oneOf/1': F.ULIMIT_FIELDS,
};

/** Schema objects the loader resolves or folds away before the model exists. */
const NOT_MODELLED: Readonly<Record<string, string>> = {
  '#/$defs/include/oneOf/1': 'include: the loader reads the included files into the project',
  '#/$defs/service/properties/extends/oneOf/1': 'extends: resolved by the loader (ServiceConfig.extends is never)',
  '#/$defs/network/properties/external': 'legacy `external: {name}`: folded into name + external: true',
  '#/$defs/volume/properties/external': 'legacy `external: {name}`: folded into name + external: true',
  '#/$defs/secret/properties/external': 'legacy `external: {name}`: folded into name + external: true',
  '#/$defs/config/properties/external': 'legacy `external: {name}`: folded into name + external: true',
};

/** Top-level keys of the file that the project does not carry, and fields of ours that the schema has not. */
const PROJECT_NOT_IN_SCHEMA = ['meta'];
const SCHEMA_NOT_IN_PROJECT = ['version', 'include'];

function objectsWithProperties(node: unknown, pointer: string, out: Map<string, string[]>): Map<string, string[]> {
  if (Array.isArray(node)) node.forEach((v, i) => objectsWithProperties(v, `${pointer}/${i}`, out));
  else if (node !== null && typeof node === 'object') {
    const props = (node as Json).properties;
    if (props !== null && typeof props === 'object' && !Array.isArray(props)) out.set(pointer, Object.keys(props));
    for (const [k, v] of Object.entries(node)) objectsWithProperties(v, `${pointer}/${k}`, out);
  }
  return out;
}

/** Per field table: the schema properties it lacks, and its fields the schema does not have. */
function mismatches(objects: ReadonlyMap<string, readonly string[]>): string[] {
  const byTable = new Map<Readonly<Record<string, true>>, Set<string>>();
  for (const [pointer, table] of Object.entries(MAPPED)) {
    const props = byTable.get(table) ?? new Set<string>();
    for (const p of objects.get(pointer) ?? []) props.add(p);
    byTable.set(table, props);
  }
  const out: string[] = [];
  for (const [table, props] of byTable) {
    const name = Object.entries(F).find(([, v]) => v === table)?.[0] ?? '?';
    const fields = new Set(Object.keys(table));
    const ignoredFields = table === F.PROJECT_FIELDS ? PROJECT_NOT_IN_SCHEMA : [];
    const ignoredProps = table === F.PROJECT_FIELDS ? SCHEMA_NOT_IN_PROJECT : [];
    for (const p of props) if (!fields.has(p) && !ignoredProps.includes(p)) out.push(`${name} lacks ${p}`);
    for (const f of fields) if (!props.has(f) && !ignoredFields.includes(f)) out.push(`${name} has ${f}, which the schema does not`);
  }
  return out;
}

describe('the canonical model covers the compose-spec schema', () => {
  const objects = objectsWithProperties(schema, '#', new Map());

  it('finds the schema objects (the walk itself works)', () => {
    expect(objects.get('#/$defs/service')).toContain('image');
    expect(objects.size).toBeGreaterThan(40);
  });

  it('maps every schema object with properties to a field table, or says why it is not modelled', () => {
    const unaccounted = [...objects.keys()].filter((p) => !(p in MAPPED) && !(p in NOT_MODELLED));
    expect(unaccounted).toEqual([]);
    const stale = [...Object.keys(MAPPED), ...Object.keys(NOT_MODELLED)].filter((p) => !objects.has(p));
    expect(stale).toEqual([]);
  });

  it('has a field for every property the schema gives, and none it does not', () => {
    expect(mismatches(objects)).toEqual([]);
  });

  it('catches a property the model lacks (the comparison can fail)', () => {
    const withNewKey = new Map(objects);
    withNewKey.set('#/$defs/service', [...(objects.get('#/$defs/service') ?? []), 'new_key']);
    expect(mismatches(withNewKey)).toEqual(['SERVICE_FIELDS lacks new_key']);
    const withoutRetries = new Map(objects);
    withoutRetries.set('#/$defs/healthcheck', (objects.get('#/$defs/healthcheck') ?? []).filter((p) => p !== 'retries'));
    expect(mismatches(withoutRetries)).toEqual(['HEALTHCHECK_FIELDS has retries, which the schema does not']);
  });
});
