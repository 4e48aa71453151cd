fn main() {
    // Only the Node build needs napi's link setup; plain `cargo test` must link without it.
    if std::env::var_os("CARGO_FEATURE_NODE").is_some() {
        napi_build::setup();
    }
}
