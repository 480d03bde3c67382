// An independent verifier for the engine's Sigstore bundles: @sigstore/verify (sigstore-js)
// with the public key as the only trust material and no transparency log, timestamp or
// certificate thresholds. Usage: node verify.js BUNDLE PUBLIC_KEY_PEM [ARTIFACT]
'use strict';
const fs = require('fs');
const crypto = require('crypto');
const { bundleFromJSON } = require('@sigstore/bundle');
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');

const [bundlePath, keyPath, artifactPath] = process.argv.slice(2);
try {
  const bundle = bundleFromJSON(JSON.parse(fs.readFileSync(bundlePath, 'utf8')));
  const key = crypto.createPublicKey(fs.readFileSync(keyPath));
  const hint = crypto
    .createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64');
  const trust = toTrustMaterial(
    { mediaType: '', tlogs: [], ctlogs: [], certificateAuthorities: [], timestampAuthorities: [] },
    (wanted) => {
      if (wanted !== hint) throw new Error(`no trusted key has the hint ${wanted}`);
      return { publicKey: key, validFor: () => true };
    },
  );
  const artifact = artifactPath ? fs.readFileSync(artifactPath) : undefined;
  const entity = toSignedEntity(bundle, artifact);
  new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(entity);
  console.log('verified');
} catch (e) {
  console.log(`rejected: ${e.message}`);
  process.exit(1);
}
