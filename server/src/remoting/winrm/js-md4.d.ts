// js-md4 ships no type declarations; only the function we use is declared.
declare module 'js-md4' {
  const md4: { arrayBuffer(message: ArrayBuffer | Uint8Array | string): ArrayBuffer };
  export default md4;
}
