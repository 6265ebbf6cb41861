/**
 * The fault scenarios (./fault-scenarios.ts) on Azure Blob: Azurite behind the fault-injecting
 * proxy, which answers `503 ServerBusy` / 500 in Azure's XML, drops connections, and cuts
 * responses half-way after Azurite acted.
 */
import { azureFaultBackend, describeStoreFaults, describeStreamFaults, describeVfsFaults } from './fault-scenarios.js';
import { describeRetryAbort } from './retry-abort.js';

const backend = azureFaultBackend();
afterAll(() => backend.stop());

describeVfsFaults(backend);
describeRetryAbort(backend);
describeStoreFaults(backend);
describeStreamFaults(backend);
