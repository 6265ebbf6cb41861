/*
 * Data copied from kops channels/alpha (https://github.com/kubernetes/kops) at commit
 * 268927e26409f861634e18f3632c9dd483c350cf. Copyright The Kubernetes Authors, licensed under the
 * Apache License, Version 2.0 (see test/fixtures/kops/LICENSE). Only the images,
 * kubernetesVersions and kopsVersions sections are kept: they are what create-cluster reads. The data
 * itself is in alpha.json beside this file (data, not code: bundled by tsup, never read at run time).
 * test/config/create-cluster-channels.test.ts checks this file against test/fixtures/kops/channels/alpha.
 */
import type { ChannelData } from '../channel.js';
import data from './alpha.json' with { type: 'json' };

/** kops release channel "alpha" (kops commit 268927e26409f861634e18f3632c9dd483c350cf). */
export const alphaChannel: ChannelData = data;
