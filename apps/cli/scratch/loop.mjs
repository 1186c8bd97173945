const H = 20, n = 15910, N = H * n;
const A = () => Float32Array.from({ length: N }, () => Math.random());
const [DH, DC, I, F, G, O, TC, CP] = Array.from({ length: 8 }, A);
const dzv = new Float32Array(4 * N), dcv = new Float32Array(N);
function loop() {
  for (let k = 0; k < N; k++) {
    const h_ = DH[k], t = TC[k], oo = O[k], ii = I[k], ff = F[k], gg = G[k];
    const dct = DC[k] + h_ * oo * (1 - t * t);
    dzv[k] = dct * gg * ii * (1 - ii);
    dzv[N + k] = dct * CP[k] * ff * (1 - ff);
    dzv[2 * N + k] = dct * ii * (1 - gg * gg);
    dzv[3 * N + k] = h_ * t * oo * (1 - oo);
    dcv[k] = dct * ff;
  }
}
for (let r = 0; r < 5; r++) loop();
const ts = []; for (let r = 0; r < 30; r++) { const t0 = performance.now(); loop(); ts.push(performance.now() - t0); }
ts.sort((a, b) => a - b); console.log('plain loop ms', ts[15]);
