/**
 * FileObject: a file the controller keeps (server/avi/files.ts). Its bytes live on the object
 * in a field no answer shows; a client's PUT or PATCH cannot send them (unknown fields are
 * dropped), so a write keeps the stored ones, and while bytes are held `size` and `checksum`
 * are theirs, whatever the client sends.
 */
import type { WriteContext } from '../behaviour.js';
import { CONTENT, sha1Hex } from '../files.js';
import type { Data, Rec } from '../../core/store.js';

export function fileobjectBehaviour() {
  return {
    beforeWrite(w: WriteContext): void {
      const kept = w.existing?.data[CONTENT];
      if (typeof kept !== 'string') return;
      w.data[CONTENT] = kept;
      const bytes = Buffer.from(kept, 'base64');
      w.data.size = bytes.length;
      w.data.checksum = sha1Hex(bytes);
    },

    renderExtras(_rec: Rec, out: Data): void {
      delete out[CONTENT];
    },
  };
}
