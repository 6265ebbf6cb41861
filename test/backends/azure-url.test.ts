/** The two `azureblob://` URL forms and credential selection, decided before any I/O. */
import { resolveAzureSettings } from '../../src/backends/azure/credentials.js';
import { resolveAzureUrl } from '../../src/backends/azure/url.js';
import { parseStoreUrl } from '../../src/vfs/url.js';

const resolve = (url: string, account?: string) => resolveAzureUrl(parseStoreUrl(url), account);

describe('azureblob URL forms', () => {
  test('account form without a configured account', () => {
    expect(resolve('azureblob://acct/state/prod/eu')).toEqual({
      account: 'acct',
      container: 'state',
      prefix: 'prod/eu',
      form: 'account',
    });
  });
  test('account form when the host is the configured account', () => {
    expect(resolve('azureblob://acct/state', 'acct')).toEqual({
      account: 'acct',
      container: 'state',
      prefix: '',
      form: 'account',
    });
  });
  test('kops form when the host differs from AZURE_STORAGE_ACCOUNT', () => {
    expect(resolve('azureblob://state/prod', 'acct')).toEqual({
      account: 'acct',
      container: 'state',
      prefix: 'prod',
      form: 'kops',
    });
  });
  test('a host with a hyphen can only be a container', () => {
    expect(resolve('azureblob://kops-state/prod', 'acct').form).toBe('kops');
    expect(() => resolve('azureblob://kops-state/prod')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
  test('a missing container or a bad name is InvalidArgument', () => {
    expect(() => resolve('azureblob://acct')).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
    expect(() => resolve('azureblob://acct/Bad_Container')).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
  });
});

describe('azure credential selection', () => {
  const cs =
    'DefaultEndpointsProtocol=http;AccountName=devacct;AccountKey=c2VjcmV0;BlobEndpoint=http://127.0.0.1:1/devacct;';
  test('options beat the environment; key beats SAS', () => {
    const s = resolveAzureSettings({ accountKey: 'a2V5', sasToken: 'sv=1' }, { AZURE_STORAGE_CONNECTION_STRING: cs });
    expect(s.auth.kind).toBe('sharedKey');
  });
  test('environment connection string supplies the account and endpoint', () => {
    const s = resolveAzureSettings({}, { AZURE_STORAGE_CONNECTION_STRING: cs });
    expect(s.auth.kind).toBe('connectionString');
    expect(s.configuredAccount).toBe('devacct');
    expect(s.endpoint).toBe('http://127.0.0.1:1/devacct');
  });
  test('AZURE_STORAGE_KEY, then SAS, then DefaultAzureCredential', () => {
    expect(resolveAzureSettings({}, { AZURE_STORAGE_ACCOUNT: 'a', AZURE_STORAGE_KEY: 'a2V5' }).auth.kind).toBe(
      'sharedKey',
    );
    expect(resolveAzureSettings({}, { AZURE_STORAGE_SAS_TOKEN: '?sv=1' }).auth.kind).toBe('sas');
    expect(resolveAzureSettings({}, {}).auth.kind).toBe('default');
  });
});
