#!/usr/bin/env bash
# Makes test/fixtures/state-stores-extra/: the pki/ and secrets/ files that kops writes but that the
# three reconstructed kops trees lack (kops's Terraform test output omits them). Written in kops's
# own formats (Keyset YAML as kops's upup/pkg/fi/vfs_castore_test.go shows it: `primaryId`, no
# `creationTimestamp`; SSH public key files named by fingerprint, {"Data": base64} secrets),
# with throwaway keys made here for tests only. Run once; the output is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=test/fixtures/state-stores-extra
rm -rf "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for base in minimal-1.34/tests/minimal.example.com complex/clusters.example.com/complex.example.com privatecilium/clusters.example.com/privatecilium.example.com; do
  dir="$out/$base"
  name=$(basename "$base")
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/ca.key" -out "$tmp/ca.crt" -days 3650 -subj "/CN=kubernetes-ca" 2>/dev/null
  id=$(printf '%d' "0x$(openssl x509 -in "$tmp/ca.crt" -noout -serial | cut -d= -f2 | cut -c1-12)")
  pub=$(base64 -w0 < "$tmp/ca.crt")
  priv=$(base64 -w0 < "$tmp/ca.key")
  mkdir -p "$dir/pki/private/kubernetes-ca" "$dir/pki/issued/kubernetes-ca" "$dir/pki/ssh/public/admin" "$dir/secrets"
  cat > "$dir/pki/private/kubernetes-ca/keyset.yaml" <<YAML
apiVersion: kops.k8s.io/v1alpha2
kind: Keyset
metadata:
  name: kubernetes-ca
spec:
  keys:
  - id: "$id"
    privateMaterial: $priv
    publicMaterial: $pub
  primaryId: "$id"
  type: Keypair
YAML
  cat > "$dir/pki/issued/kubernetes-ca/keyset.yaml" <<YAML
apiVersion: kops.k8s.io/v1alpha2
kind: Keyset
metadata:
  name: kubernetes-ca
spec:
  keys:
  - id: "$id"
    publicMaterial: $pub
  primaryId: "$id"
  type: Keypair
YAML
  ssh-keygen -q -t rsa -b 2048 -N '' -C '' -f "$tmp/ssh" >/dev/null
  # kops's name for it: MD5 of the key in SSH wire format (the base64 blob), hex without colons
  # (kops: pkg/sshcredentials/fingerprint.go, upup/pkg/fi/vfs_castore.go buildSSHPublicKeyPath).
  fingerprint=$(awk '{print $2}' "$tmp/ssh.pub" | base64 -d | md5sum | cut -d' ' -f1)
  cp "$tmp/ssh.pub" "$dir/pki/ssh/public/admin/$fingerprint"
  rm -f "$tmp/ssh" "$tmp/ssh.pub"
  printf '{"Data":"%s"}' "$(head -c 24 /dev/urandom | base64 -w0)" > "$dir/secrets/admin"
  printf '{"Data":"%s"}' "$(printf 'encryption-config-%s' "$name" | base64 -w0)" > "$dir/secrets/encryptionconfig"
done
echo "wrote $out"
