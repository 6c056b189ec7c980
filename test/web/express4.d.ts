// express4 is the devDependency alias npm:express@4, for testing purview/express on Express 4; it
// has the same API as the `express` typings describe for what the tests use.
declare module 'express4' {
  import express from 'express';
  export default express;
}
