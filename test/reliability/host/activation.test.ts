// Activation survives a stale announcement: KEYVAULT_EMULATOR_READY naming an emulator that is gone (its CA file
// with it) must not make activate() throw, nor leave half an emulator behind.
import * as assert from 'assert';
import type { KeyVaultExtensionApi } from '../../../src/extension';
import { attachAnnouncedEmulator } from '../../../src/ui/emulatorAttach';
import { emulatorInfo, extensionApi } from '../../vscode/support/harness';

describe('reliability: a stale emulator announcement', () => {
  let api: KeyVaultExtensionApi;
  before(async () => { api = await extensionApi(); });

  const stale = () => JSON.stringify({ ...emulatorInfo(), port: 1, ca: '/nonexistent/keyvault-emulator-ca.pem' });

  it('is reported and ignored by the activation path, which goes on', () => {
    const before = api.hub.emulator();
    assert.strictEqual(attachAnnouncedEmulator(api.hub, stale()), false);
    assert.strictEqual(api.hub.emulator(), before, 'the running emulator stays');
  });

  it('is refused by the hub with a message naming the CA file, changing nothing', () => {
    const before = api.hub.emulator();
    assert.throws(() => api.hub.setEmulator(JSON.parse(stale()), false), /keyvault-emulator-ca\.pem does not exist.*Start or attach/);
    assert.strictEqual(api.hub.emulator(), before);
    assert.strictEqual(api.hub.emulator()?.port, emulatorInfo().port);
  });

  it('an announcement that is not a ready line at all attaches nothing', () => {
    assert.strictEqual(attachAnnouncedEmulator(api.hub, '/no/such/ready-file.json'), false);
    assert.strictEqual(attachAnnouncedEmulator(api.hub, '{"not":"ready"}'), false);
  });
});
